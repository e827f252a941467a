//! The OpenAPI document against the API: the check every HTTP test's API responses go
//! through (`dateline_testkit::openapi`) can fail, and fails for the right reasons.

use dateline_core::Role;
use dateline_testkit::openapi::{self, ApiSchema};
use dateline_testkit::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

const JSON: Option<&str> = Some("application/json");

fn body(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).expect("json")
}

#[tokio::test]
async fn the_response_check_refuses_what_the_document_does_not_describe() {
    let t = TestApp::spawn(dateline_app::Backend::Sqlite)
        .await
        .expect("app");
    let schema = openapi::served(&t.client, &t.base_url)
        .await
        .expect("document");
    let key = t.key(Role::Editor).await.expect("key");
    let (s, created) = t
        .admin(
            &key,
            Method::POST,
            "/api/v1/admin/articles",
            Some(
                json!({"title": "Checked", "body": "Text.", "correction": "A name was misspelt."}),
            ),
        )
        .await
        .expect("create");
    assert_eq!(s, 201, "{created}");
    assert_eq!(created["correction"]["note"], "A name was misspelt.");
    let path = format!("/api/v1/admin/articles/{}", created["id"]);
    schema
        .check("GET", &path, 200, JSON, &body(&created))
        .expect("the real body matches");

    // The defect this check was written for: `correction` as a string.
    let mut wrong = created.clone();
    wrong["correction"] = json!("A name was misspelt.");
    let e = schema
        .check("GET", &path, 200, JSON, &body(&wrong))
        .expect_err("a string correction is refused");
    assert!(
        e.contains("GET /api/v1/admin/articles/") && e.contains("200") && e.contains("/correction"),
        "the message names the request, the status and the field: {e}"
    );

    // A field the document does not name, a missing required one, a wrong format.
    let mut extra = created.clone();
    extra["colour"] = json!("red");
    let e = schema
        .check("GET", &path, 200, JSON, &body(&extra))
        .expect_err("undocumented field");
    assert!(e.contains("colour"), "{e}");
    let mut missing = created.clone();
    missing.as_object_mut().expect("object").remove("version");
    assert!(schema
        .check("PATCH", &path, 200, JSON, &body(&missing))
        .is_err());
    let mut bad_time = created.clone();
    bad_time["updated_at"] = json!("yesterday");
    assert!(schema
        .check("GET", &path, 200, JSON, &body(&bad_time))
        .is_err());

    // The public article, with its correction history.
    let article = t
        .get_json("/api/v1/articles/checked", 200)
        .await
        .expect("public");
    assert_eq!(article["corrections"][0]["note"], "A name was misspelt.");
    let mut wrong = article.clone();
    wrong["corrections"] = json!(["A name was misspelt."]);
    let e = schema
        .check("GET", "/api/v1/articles/checked", 200, JSON, &body(&wrong))
        .expect_err("corrections are objects");
    assert!(e.contains("/corrections/0"), "{e}");

    // Error bodies: the error format, at a documented status.
    let error = json!({"error": {"code": "not_found", "message": "not found"}});
    schema
        .check("GET", &path, 404, JSON, &body(&error))
        .expect("an error body");
    assert!(schema
        .check(
            "GET",
            &path,
            404,
            JSON,
            &body(&json!({"error": {"code": "not_found"}}))
        )
        .is_err());
    assert!(schema
        .check(
            "GET",
            &path,
            404,
            JSON,
            &body(&json!({"message": "not found"}))
        )
        .is_err());
    let e = schema
        .check("GET", &path, 418, JSON, &body(&error))
        .expect_err("an undocumented status");
    assert!(e.contains("not documented"), "{e}");
    let e = schema
        .check("GET", &path, 404, Some("text/plain"), b"not found")
        .expect_err("not JSON");
    assert!(e.contains("Content-Type"), "{e}");
    // An operation the document lacks may only refuse, in the error format.
    schema
        .check("GET", "/api/v1/admin/nothing", 404, JSON, &body(&error))
        .expect("a 404 for an unknown API path");
    assert!(schema
        .check("GET", "/api/v1/admin/nothing", 200, JSON, b"{}")
        .is_err());
    // Pages are not the API's business.
    schema
        .check(
            "GET",
            "/articles/checked",
            200,
            Some("text/html"),
            b"<html>",
        )
        .expect("not an API path");
}

#[test]
fn openapi_3_0_nullable_becomes_a_type_array_and_3_1_refuses_it() {
    let doc = |version: &str| {
        json!({
            "openapi": version,
            "info": {"title": "t", "version": "1"},
            "paths": {"/api/v1/thing": {"get": {"responses": {"200": {
                "description": "OK",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}
            }}}}},
            "components": {"schemas": {"Thing": {
                "type": "object",
                "required": ["name", "kind"],
                "properties": {
                    "name": {"type": "string", "nullable": true},
                    "kind": {"type": "string", "enum": ["a", "b"], "nullable": true}
                }
            }}}
        })
    };
    let v30 = ApiSchema::from_document(&doc("3.0.3")).expect("3.0 compiles");
    v30.check(
        "GET",
        "/api/v1/thing",
        200,
        JSON,
        br#"{"name": null, "kind": null}"#,
    )
    .expect("nullable admits null");
    v30.check(
        "GET",
        "/api/v1/thing",
        200,
        JSON,
        br#"{"name": "x", "kind": "a"}"#,
    )
    .expect("and the type");
    assert!(v30
        .check(
            "GET",
            "/api/v1/thing",
            200,
            JSON,
            br#"{"name": 1, "kind": "a"}"#
        )
        .is_err());
    assert!(v30
        .check(
            "GET",
            "/api/v1/thing",
            200,
            JSON,
            br#"{"name": "x", "kind": "c"}"#
        )
        .is_err());
    let e = ApiSchema::from_document(&doc("3.1.0"))
        .err()
        .expect("3.1 with nullable is refused");
    assert!(e.contains("nullable"), "{e}");
}
