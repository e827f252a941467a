//! What may appear in a rendered body: the one list both the sanitiser and the raw-HTML
//! guard read.

/// Elements a body may contain.
pub(crate) const TAGS: &[&str] = &[
    "p",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "em",
    "strong",
    "b",
    "i",
    "code",
    "pre",
    "br",
    "hr",
    "img",
    "figure",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
    "s",
    "sup",
    "sub",
    "abbr",
    "cite",
    "q",
    "small",
    "mark",
    "dl",
    "dt",
    "dd",
];

/// The allowed elements that have no end tag.
pub(crate) const VOID_TAGS: &[&str] = &["br", "hr", "img"];

/// Attributes allowed on every element.
pub(crate) const GENERIC_ATTRIBUTES: &[&str] = &["title", "lang", "dir"];

/// Attributes allowed on one element.
pub(crate) const TAG_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href"]),
    ("img", &["src", "alt", "width", "height"]),
    ("td", &["colspan", "rowspan"]),
    ("th", &["colspan", "rowspan", "scope"]),
    ("ol", &["start"]),
    ("q", &["cite"]),
    ("blockquote", &["cite"]),
];

/// URL schemes links and images may use.
pub(crate) const URL_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// The allowlisted spelling of `name`, if it is an allowed element.
pub(crate) fn tag(name: &str) -> Option<&'static str> {
    TAGS.iter().copied().find(|t| *t == name)
}

/// Whether `attribute` may appear on `tag`.
pub(crate) fn attribute_allowed(tag: &str, attribute: &str) -> bool {
    GENERIC_ATTRIBUTES.contains(&attribute)
        || TAG_ATTRIBUTES
            .iter()
            .any(|(t, attrs)| *t == tag && attrs.contains(&attribute))
}
