"""The API reference's Python client, as written there, with a runnable entry point.

    SLIMRMM_URL=http://127.0.0.1:8000 SLIMRMM_USERNAME=admin SLIMRMM_PASSWORD=... \
        python3 docs/examples/client.py

CI runs it against a fresh server (scripts/examples-test.sh).
"""

import os
import sys

import requests


class SlimRMMClient:
    def __init__(self, base_url, username, password):
        self.base_url = base_url
        self.session = requests.Session()
        self._login(username, password)

    def _login(self, username, password):
        response = self.session.post(
            f"{self.base_url}/api/v1/auth/login",
            json={"username": username, "password": password}
        )
        token = response.json()["access_token"]
        self.session.headers["Authorization"] = f"Bearer {token}"

    def get_agents(self, **params):
        return self.session.get(
            f"{self.base_url}/api/v1/agents/",
            params=params
        ).json()


if __name__ == "__main__":
    client = SlimRMMClient(
        os.environ.get("SLIMRMM_URL", "http://127.0.0.1:8000"),
        os.environ.get("SLIMRMM_USERNAME", "admin"),
        os.environ["SLIMRMM_PASSWORD"],
    )
    agents = client.get_agents(status="online")
    if agents.get("status") != "ok":
        sys.exit(f"the server refused: {agents}")
    page = agents["data"]
    print(f"agents online: {page['total']}")
    for agent in page["items"]:
        print(f"  {agent['hostname']} ({agent['uuid']})")
