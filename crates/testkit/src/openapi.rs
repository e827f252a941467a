//! Every `/api/v1/…` response a test sees is checked against the served OpenAPI document.
//!
//! [`ApiSchema`] is the document compiled once per process: each response schema (after
//! `#/components/responses/…` is followed) becomes a JSON Schema 2020-12 validator — the
//! dialect OpenAPI 3.1 uses — whose `$ref`s resolve inside the document itself. A response is
//! found by method + path template, then by status code (`"404"`, else `"4XX"`, else
//! `default`); its body must have the documented media type and match the schema, formats
//! (`date-time`) included. An undocumented operation may only answer 4xx with an error body;
//! an undocumented status is a failure.
//!
//! The tests are stricter than the served document in one way: every object schema that
//! lists `properties` and says nothing about extra ones gets `unevaluatedProperties: false`,
//! so a field the API returns but the document does not name fails a test. The served
//! document stays open, so clients built from it keep working when a field is added.
//!
//! Dialects: an OpenAPI 3.0 document has its `nullable: true` turned into a type array (and
//! `null` added to an `enum`) before compiling, as 3.1 would write it; a 3.1 document that
//! still uses `nullable` is refused, because 3.1 ignores the keyword and the schema would
//! silently mean something else than its author thought.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{json, Value};

/// The OpenAPI document compiled for response validation.
pub struct ApiSchema {
    /// Path templates, e.g. `/api/v1/articles/{slug}`, split into segments.
    paths: Vec<(String, Vec<Segment>)>,
    /// The (normalised) document.
    doc: Value,
    /// Compiled validators, keyed by the JSON pointer of the schema inside the document.
    validators: HashMap<String, jsonschema::Validator>,
}

enum Segment {
    Literal(String),
    Param,
}

/// JSON-pointer escaping of one reference token.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

impl ApiSchema {
    /// Compiles `doc` (an OpenAPI 3.0 or 3.1 document).
    pub fn from_document(doc: &Value) -> Result<ApiSchema, String> {
        let mut doc = doc.clone();
        let version = doc["openapi"]
            .as_str()
            .ok_or("the document has no `openapi` version")?
            .to_owned();
        if version.starts_with("3.0") {
            for_each_schema(&mut doc, &mut nullable_to_type_array);
        } else if version.starts_with("3.1") {
            if let Some(dialect) = doc["jsonSchemaDialect"].as_str() {
                if dialect != "https://spec.openapis.org/oas/3.1/dialect/base"
                    && dialect != "https://json-schema.org/draft/2020-12/schema"
                {
                    return Err(format!("unsupported jsonSchemaDialect {dialect}"));
                }
            }
            let mut found = Vec::new();
            for_each_schema(&mut doc, &mut |s| find_nullable(s, &mut found));
            if !found.is_empty() {
                return Err(format!(
                    "OpenAPI {version} ignores `nullable` (write \"type\": [\"…\", \"null\"]); \
                     found in {} schema(s)",
                    found.len()
                ));
            }
        } else {
            return Err(format!("unsupported OpenAPI version {version}"));
        }
        for_each_schema(&mut doc, &mut close_objects);

        let mut paths = Vec::new();
        let mut pointers = Vec::new();
        let path_items = doc["paths"]
            .as_object()
            .ok_or("the document has no paths")?;
        for (template, item) in path_items {
            let segments = template
                .split('/')
                .map(|s| {
                    if s.starts_with('{') && s.ends_with('}') {
                        Segment::Param
                    } else {
                        Segment::Literal(s.to_owned())
                    }
                })
                .collect();
            paths.push((template.clone(), segments));
            let Some(operations) = item.as_object() else {
                continue;
            };
            for (method, op) in operations {
                let Some(responses) = op["responses"].as_object() else {
                    continue;
                };
                for status in responses.keys() {
                    let base = format!(
                        "/paths/{}/{}/responses/{}",
                        escape(template),
                        escape(method),
                        escape(status)
                    );
                    let (base, response) = resolve_response(&doc, &base)?;
                    if let Some(content) = response["content"].as_object() {
                        for media in content.keys() {
                            pointers.push(format!("{base}/content/{}/schema", escape(media)));
                        }
                    }
                }
            }
        }
        let mut validators = HashMap::new();
        for pointer in pointers {
            if validators.contains_key(&pointer) {
                continue;
            }
            if doc.pointer(&pointer).is_none() {
                return Err(format!("no schema at #{pointer}"));
            }
            // The whole document is the root resource, so `#/components/schemas/…`
            // resolves; the root's other members are not JSON Schema keywords and are
            // ignored.
            let mut root = json!({
                "$ref": format!("#{}", fragment(&pointer)),
                "paths": doc["paths"],
                "components": doc["components"],
            });
            root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .should_validate_formats(true)
                .build(&root)
                .map_err(|e| format!("the schema at #{pointer} does not compile: {e}"))?;
            validators.insert(pointer, validator);
        }
        Ok(ApiSchema {
            paths,
            doc,
            validators,
        })
    }

    /// The template of the documented path `path` (no query) matches, preferring the one
    /// with the most literal segments.
    fn template_of(&self, path: &str) -> Option<&str> {
        let parts: Vec<&str> = path.split('/').collect();
        self.paths
            .iter()
            .filter(|(_, segs)| {
                segs.len() == parts.len()
                    && segs.iter().zip(&parts).all(|(s, p)| match s {
                        Segment::Literal(l) => l == p,
                        Segment::Param => !p.is_empty(),
                    })
            })
            .max_by_key(|(_, segs)| {
                segs.iter()
                    .filter(|s| matches!(s, Segment::Literal(_)))
                    .count()
            })
            .map(|(t, _)| t.as_str())
    }

    /// Checks one response: `method` and `path` (with or without query) of the request,
    /// status, `Content-Type` and body. Paths outside the document's (`/api/v1/…`,
    /// `/oembed`) are not checked.
    pub fn check(
        &self,
        method: &str,
        path: &str,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(), String> {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        if !documented(path) || method.eq_ignore_ascii_case("HEAD") {
            return Ok(());
        }
        let what = format!("{} {path} → {status}", method.to_uppercase());
        let operation = self.template_of(path).and_then(|t| {
            let m = method.to_lowercase();
            self.doc["paths"][t]
                .get(&m)
                .map(|_| format!("/paths/{}/{}", escape(t), escape(&m)))
        });
        let Some(operation) = operation else {
            // Not in the document: only a refusal is acceptable, in the error format.
            if !(400..500).contains(&status) {
                return Err(format!(
                    "{what}: no operation in the OpenAPI document for this method and path"
                ));
            }
            if body.is_empty() {
                return Ok(());
            }
            return self.check_body(
                &what,
                "/components/responses/Error/content/application~1json/schema",
                content_type,
                body,
            );
        };
        let responses = &self.doc.pointer(&operation).unwrap_or(&Value::Null)["responses"];
        let code = status.to_string();
        let range = format!("{}XX", status / 100);
        let Some(key) = [code.as_str(), range.as_str(), "default"]
            .into_iter()
            .find(|k| responses.get(*k).is_some())
        else {
            return Err(format!(
                "{what}: status {status} is not documented for this operation (documented: {}); body: {}",
                responses
                    .as_object()
                    .map(|r| r.keys().cloned().collect::<Vec<_>>().join(", "))
                    .unwrap_or_default(),
                excerpt(body)
            ));
        };
        let (base, response) =
            resolve_response(&self.doc, &format!("{operation}/responses/{}", escape(key)))?;
        let Some(content) = response["content"].as_object().filter(|c| !c.is_empty()) else {
            if body.is_empty() {
                return Ok(());
            }
            return Err(format!(
                "{what}: documented without a body, but the response has one: {}",
                excerpt(body)
            ));
        };
        let essence = content_type
            .and_then(|c| c.split(';').next())
            .map(|c| c.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let Some(media) = content.keys().find(|m| m.eq_ignore_ascii_case(&essence)) else {
            return Err(format!(
                "{what}: Content-Type {content_type:?} is not one documented ({}); body: {}",
                content.keys().cloned().collect::<Vec<_>>().join(", "),
                excerpt(body)
            ));
        };
        self.check_body(
            &what,
            &format!("{base}/content/{}/schema", escape(media)),
            content_type,
            body,
        )
    }

    fn check_body(
        &self,
        what: &str,
        pointer: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(), String> {
        let is_json = content_type
            .and_then(|c| c.split(';').next())
            .is_some_and(|c| {
                let c = c.trim().to_ascii_lowercase();
                c == "application/json" || c.ends_with("+json")
            });
        if !is_json {
            return Err(format!(
                "{what}: expected a JSON body, got Content-Type {content_type:?}: {}",
                excerpt(body)
            ));
        }
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| format!("{what}: the body is not JSON ({e}): {}", excerpt(body)))?;
        let validator = self
            .validators
            .get(pointer)
            .ok_or_else(|| format!("{what}: no compiled schema at #{pointer}"))?;
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .take(10)
            .map(|e| {
                format!(
                    "  at {:?}: {} (schema {})",
                    e.instance_path().as_str(),
                    e,
                    e.schema_path().as_str()
                )
            })
            .collect();
        if errors.is_empty() {
            return Ok(());
        }
        Err(format!(
            "{what}: the body does not match the OpenAPI schema #{pointer}:\n{}\nbody: {}",
            errors.join("\n"),
            excerpt(body)
        ))
    }
}

/// A JSON pointer as a URI fragment: every byte but the unreserved ones and `/` percent-encoded.
fn fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for b in pointer.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Follows a response object's `$ref` (`#/components/responses/…`); returns its pointer and
/// the object.
fn resolve_response<'a>(doc: &'a Value, pointer: &str) -> Result<(String, &'a Value), String> {
    let mut pointer = pointer.to_owned();
    for _ in 0..8 {
        let response = doc
            .pointer(&pointer)
            .ok_or_else(|| format!("no response at #{pointer}"))?;
        match response.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                pointer = r
                    .strip_prefix('#')
                    .ok_or_else(|| format!("only local references are supported: {r}"))?
                    .to_owned();
            }
            None => return Ok((pointer, response)),
        }
    }
    Err(format!("reference loop at #{pointer}"))
}

fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if text.chars().count() > 2000 {
        format!("{}…", text.chars().take(2000).collect::<String>())
    } else {
        text.into_owned()
    }
}

/// Calls `f` on every schema object in the document: component schemas, parameter and
/// header schemas, request and response bodies, and every subschema of those.
fn for_each_schema(doc: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for s in schemas.values_mut() {
            walk_schema(s, f);
        }
    }
    // Plain recursion over everything else that can hold `content` or `schema`.
    fn visit(v: &mut Value, f: &mut dyn FnMut(&mut Value)) {
        if let Some(obj) = v.as_object_mut() {
            for (k, child) in obj.iter_mut() {
                if k == "schema" {
                    walk_schema(child, f);
                } else {
                    visit(child, f);
                }
            }
        } else if let Some(arr) = v.as_array_mut() {
            for child in arr {
                visit(child, f);
            }
        }
    }
    if let Some(paths) = doc.get_mut("paths") {
        visit(paths, f);
    }
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        for (k, v) in components.iter_mut() {
            if k != "schemas" {
                visit(v, f);
            }
        }
    }
}

/// Calls `f` on `schema` and then on each of its subschemas (the JSON Schema keywords that
/// hold schemas; `properties` holds a map of them, so a property named like a keyword is
/// never mistaken for one).
fn walk_schema(schema: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    if !schema.is_object() {
        return;
    }
    f(schema);
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    for (k, child) in obj.iter_mut() {
        match k.as_str() {
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
                if let Some(map) = child.as_object_mut() {
                    for s in map.values_mut() {
                        walk_schema(s, f);
                    }
                }
            }
            "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                if let Some(list) = child.as_array_mut() {
                    for s in list {
                        walk_schema(s, f);
                    }
                }
            }
            "items"
            | "additionalProperties"
            | "unevaluatedProperties"
            | "unevaluatedItems"
            | "not"
            | "if"
            | "then"
            | "else"
            | "contains"
            | "propertyNames" => {
                walk_schema(child, f);
            }
            _ => {}
        }
    }
}

/// OpenAPI 3.0's `nullable: true` as 3.1 writes it.
fn nullable_to_type_array(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    let Some(nullable) = obj.remove("nullable") else {
        return;
    };
    if nullable != Value::Bool(true) {
        return;
    }
    match obj.get_mut("type") {
        Some(Value::String(t)) => {
            let t = t.clone();
            obj.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(types)) if !types.contains(&json!("null")) => {
            types.push(json!("null"));
        }
        _ => {}
    }
    if let Some(Value::Array(values)) = obj.get_mut("enum") {
        if !values.contains(&Value::Null) {
            values.push(Value::Null);
        }
    }
}

fn find_nullable(schema: &mut Value, found: &mut Vec<String>) {
    if schema.get("nullable").is_some() {
        found.push(schema.to_string());
    }
}

/// An object schema that lists its properties and says nothing about others admits no
/// others (tests only; see the module docs).
fn close_objects(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if obj.get("properties").is_some_and(Value::is_object)
        && !obj.contains_key("additionalProperties")
        && !obj.contains_key("unevaluatedProperties")
    {
        obj.insert("unevaluatedProperties".into(), Value::Bool(false));
    }
}

/// Whether the OpenAPI document describes `path` (without query): the JSON API under
/// `/api/v1/` and the oEmbed endpoint.
fn documented(path: &str) -> bool {
    path.starts_with("/api/v1/") || path == "/oembed"
}

static SERVED: OnceLock<ApiSchema> = OnceLock::new();

/// The document served at `base_url`, fetched and compiled on the first call in this
/// process (the document is built into the binary, so every test server serves the same).
pub async fn served(
    client: &reqwest::Client,
    base_url: &str,
) -> anyhow::Result<&'static ApiSchema> {
    if let Some(schema) = SERVED.get() {
        return Ok(schema);
    }
    let doc: Value = client
        .get(format!("{base_url}/api/v1/openapi.json"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let schema = ApiSchema::from_document(&doc).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(SERVED.get_or_init(|| schema))
}

/// Checks a response of the server at `base_url` against its OpenAPI document; a mismatch
/// is an error naming the request, the status and every schema violation.
pub async fn check(
    client: &reqwest::Client,
    base_url: &str,
    method: &str,
    path: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> anyhow::Result<()> {
    if !documented(path.split(['?', '#']).next().unwrap_or_default()) {
        return Ok(());
    }
    let schema = served(client, base_url).await?;
    schema
        .check(method, path, status, content_type, body)
        .map_err(|e| anyhow::anyhow!("OpenAPI mismatch: {e}"))
}

/// Sends `request`, checks the response against the OpenAPI document when it is an API
/// request to `base_url`, and hands the response back unread.
pub async fn send_checked(
    base_url: &str,
    request: reqwest::RequestBuilder,
) -> anyhow::Result<reqwest::Response> {
    use reqwest::ResponseBuilderExt;
    let (client, request) = request.build_split();
    let request = request?;
    let method = request.method().clone();
    let url = request.url().clone();
    let response = client.execute(request).await?;
    let path = match url.as_str().strip_prefix(base_url) {
        Some(rest) if rest.starts_with('/') => rest.to_owned(),
        _ => return Ok(response),
    };
    if !documented(path.split(['?', '#']).next().unwrap_or_default()) {
        return Ok(response);
    }
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let response_url = response.url().clone();
    let body = response.bytes().await?;
    let content_type = headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    check(
        &client,
        base_url,
        method.as_str(),
        &path,
        status.as_u16(),
        content_type,
        &body,
    )
    .await?;
    let mut rebuilt = http::Response::builder()
        .status(status)
        .version(version)
        .url(response_url)
        .body(body)?;
    *rebuilt.headers_mut() = headers;
    Ok(reqwest::Response::from(rebuilt))
}
