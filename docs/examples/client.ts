// The API reference's TypeScript client, as written there (plus the `Agent` type it uses).
// Run with a TypeScript runner, e.g.:
//   SLIMRMM_URL=http://127.0.0.1:8000 SLIMRMM_PASSWORD=... npx tsx docs/examples/client.ts
// Note: like the reference, getAgents returns the whole envelope
// ({"data": {"items": Agent[], ...}, "status": "ok"}), not a bare array.

interface Agent {
  uuid: string;
  hostname: string;
  status: string;
}

class SlimRMMClient {
  private baseUrl: string;
  private token: string | null = null;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  async login(username: string, password: string): Promise<void> {
    const response = await fetch(`${this.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password })
    });
    const data = await response.json();
    this.token = data.access_token;
  }

  async getAgents(): Promise<Agent[]> {
    const response = await fetch(`${this.baseUrl}/api/v1/agents/`, {
      headers: { 'Authorization': `Bearer ${this.token}` }
    });
    return response.json();
  }
}

async function main(): Promise<void> {
  const client = new SlimRMMClient(process.env.SLIMRMM_URL ?? 'http://127.0.0.1:8000');
  await client.login(process.env.SLIMRMM_USERNAME ?? 'admin', process.env.SLIMRMM_PASSWORD ?? '');
  const envelope = (await client.getAgents()) as unknown as { data: { total: number; items: Agent[] } };
  console.log(`agents: ${envelope.data.total}`);
  for (const agent of envelope.data.items) {
    console.log(`  ${agent.hostname} (${agent.uuid}) ${agent.status}`);
  }
}

main();
