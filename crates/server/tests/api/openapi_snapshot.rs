//! The whole OpenAPI document as a snapshot (`docs/openapi.json`), so any change to the API
//! surface shows in review. After an intended change: `just openapi` (or run this test with
//! `SLIMRMM_UPDATE_OPENAPI=1`) and commit the new file.

use actix_web::test::TestRequest;

use crate::helpers::spawn;

#[actix_web::test]
async fn the_openapi_document_matches_its_snapshot() {
    let app = spawn().await;
    let document = app.send(TestRequest::get().uri("/openapi.json")).await.body;
    let rendered = serde_json::to_string_pretty(&document).unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var_os("SLIMRMM_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &rendered).unwrap();
        return;
    }
    let snapshot = std::fs::read_to_string(&path).unwrap_or_default();
    if snapshot != rendered {
        let first_difference = snapshot
            .lines()
            .zip(rendered.lines())
            .position(|(old, new)| old != new)
            .map_or_else(
                || "the lengths differ".to_owned(),
                |line| format!("line {}", line + 1),
            );
        panic!(
            "the API surface changed ({first_difference} of docs/openapi.json): if intended, run \
             `just openapi` (SLIMRMM_UPDATE_OPENAPI=1 cargo test -p slimrmm-server --test api \
             openapi_snapshot) and commit docs/openapi.json"
        );
    }
}
