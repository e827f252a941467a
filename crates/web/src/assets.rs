//! Static assets, embedded in the binary so dateline stays one file to deploy.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const SITE_CSS: &str = include_str!("../static/site.css");
const SITE_JS: &str = include_str!("../static/site.js");
const ADMIN_CSS: &str = include_str!("../static/admin.css");
const EDITOR_JS: &str = include_str!("../static/editor.js");

/// Illustrations of the `--demo` articles (drawn for dateline), so the sample site shows
/// lead images without fetching anything from elsewhere.
const DEMO_IMAGES: &[(&str, &str)] = &[
    (
        "demo-archive.svg",
        include_str!("../static/demo-archive.svg"),
    ),
    ("demo-clock.svg", include_str!("../static/demo-clock.svg")),
    (
        "demo-newsroom.svg",
        include_str!("../static/demo-newsroom.svg"),
    ),
    (
        "demo-servers.svg",
        include_str!("../static/demo-servers.svg"),
    ),
    ("demo-share.svg", include_str!("../static/demo-share.svg")),
];

/// The publication's logo and share image (`structured_data::SHIPPED_LOGO`,
/// `SHIPPED_SITE_IMAGE`), used until `publisher_logo` / `site_image` name others; drawn by
/// `scripts/make_share_images.py`. Social sites take no SVG for cards, hence the PNGs.
const SHARE_IMAGES: &[(&str, &[u8], &str)] = &[
    (
        "logo.png",
        include_bytes!("../static/logo.png"),
        "image/png",
    ),
    (
        "logo.svg",
        include_bytes!("../static/logo.svg"),
        "image/svg+xml",
    ),
    (
        "site-image.png",
        include_bytes!("../static/site-image.png"),
        "image/png",
    ),
];

/// Version string appended to asset URLs so browsers may cache them for a year.
pub fn asset_version() -> String {
    let hash =
        xxhash_rust::xxh3::xxh3_64(format!("{SITE_CSS}{SITE_JS}{ADMIN_CSS}{EDITOR_JS}").as_bytes());
    format!("{hash:016x}")[..10].to_owned()
}

/// `GET /static/{file}`.
pub async fn serve(Path(file): Path<String>) -> Response {
    let (body, content_type) = match file.as_str() {
        "site.css" => (SITE_CSS, "text/css; charset=utf-8"),
        "site.js" => (SITE_JS, "text/javascript; charset=utf-8"),
        "admin.css" => (ADMIN_CSS, "text/css; charset=utf-8"),
        "editor.js" => (EDITOR_JS, "text/javascript; charset=utf-8"),
        name => match DEMO_IMAGES.iter().find(|(n, _)| *n == name) {
            Some((_, svg)) => (*svg, "image/svg+xml"),
            None => match SHARE_IMAGES.iter().find(|(n, _, _)| *n == name) {
                // Not versioned in their URL (other sites keep the address they
                // fetched): a day's cache, not a year's.
                Some((_, bytes, content_type)) => {
                    return (
                        [
                            (header::CONTENT_TYPE, *content_type),
                            (header::CACHE_CONTROL, "public, max-age=86400"),
                        ],
                        *bytes,
                    )
                        .into_response()
                }
                None => return (StatusCode::NOT_FOUND, "not found").into_response(),
            },
        },
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response()
}

/// `GET /robots.txt`: keeps crawlers out of the newsroom and names the sitemap index and
/// the news sitemap (absolute URLs, as the Sitemap directive requires).
pub async fn robots(
    axum::extract::State(state): axum::extract::State<crate::WebState>,
) -> Response {
    let base = &state.app.config().base_url;
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        format!(
            "User-agent: *\nDisallow: /api/v1/admin/\nDisallow: /admin\nDisallow: /signin\n\n\
             Sitemap: {base}/sitemap.xml\nSitemap: {base}/sitemap-news.xml\n"
        ),
    )
        .into_response()
}
