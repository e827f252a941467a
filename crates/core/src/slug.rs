//! URL slugs: the readable last part of an article's address.

use serde::{Deserialize, Serialize};

/// Longest slug we make or accept, in bytes. Long enough for a headline's gist, short
/// enough to share.
pub const MAX_SLUG_LEN: usize = 100;

/// A validated slug: 1..=100 characters of `a-z`, `0-9` and single inner hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

/// Why a string is not a slug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    /// The slug was empty.
    #[error("must not be empty")]
    Empty,
    /// The slug was longer than [`MAX_SLUG_LEN`].
    #[error("must be at most {MAX_SLUG_LEN} characters")]
    TooLong,
    /// The slug held something other than lowercase letters, digits and inner hyphens.
    #[error("may hold only a-z, 0-9 and single hyphens between them")]
    BadCharacters,
}

impl Slug {
    /// Checks `s` and wraps it.
    pub fn parse(s: &str) -> Result<Slug, SlugError> {
        if s.is_empty() {
            return Err(SlugError::Empty);
        }
        if s.len() > MAX_SLUG_LEN {
            return Err(SlugError::TooLong);
        }
        let ok_chars = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok_chars || s.starts_with('-') || s.ends_with('-') || s.contains("--") {
            return Err(SlugError::BadCharacters);
        }
        Ok(Slug(s.to_owned()))
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// This slug with `-n` appended, shortened first if needed, for making slugs unique.
    pub fn with_suffix(&self, n: u32) -> Slug {
        let suffix = format!("-{n}");
        let mut base = self.0.clone();
        base.truncate(MAX_SLUG_LEN - suffix.len());
        let base = base.trim_end_matches('-');
        Slug(format!("{base}{suffix}"))
    }
}

impl TryFrom<String> for Slug {
    type Error = SlugError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Slug::parse(&s)
    }
}

impl From<Slug> for String {
    fn from(s: Slug) -> String {
        s.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Makes a slug from free text such as a headline: ASCII letters and digits kept
/// (lowercased), common Latin accents folded, everything else a hyphen. Text with no usable
/// characters (e.g. all Arabic script) gives `fallback`.
pub fn slugify(text: &str, fallback: &str) -> Slug {
    let mut out = String::with_capacity(text.len().min(MAX_SLUG_LEN));
    let mut pending_hyphen = false;
    for ch in text.chars().flat_map(fold_accent) {
        if ch.is_ascii_alphanumeric() {
            if pending_hyphen && !out.is_empty() {
                out.push('-');
            }
            pending_hyphen = false;
            out.push(ch.to_ascii_lowercase());
            if out.len() >= MAX_SLUG_LEN {
                break;
            }
        } else if ch != '\'' && ch != '\u{2019}' {
            // Apostrophes vanish ("Europe's" -> "europes") rather than split words.
            pending_hyphen = true;
        }
    }
    out.truncate(MAX_SLUG_LEN);
    let trimmed = out.trim_end_matches('-');
    Slug::parse(trimmed).unwrap_or_else(|_| Slug(fallback.to_owned()))
}

fn fold_accent(ch: char) -> impl Iterator<Item = char> {
    let folded: &str = match ch {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ß' => "ss",
        _ => "",
    };
    let single = if folded.is_empty() { Some(ch) } else { None };
    folded.chars().chain(single)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_keeps_words_and_drops_punctuation() {
        assert_eq!(
            slugify("Oman's port: 'Muscat' grows 5% — again!", "x").as_str(),
            "omans-port-muscat-grows-5-again"
        );
        assert_eq!(
            slugify("Café société in Zürich", "x").as_str(),
            "cafe-societe-in-zurich"
        );
    }

    #[test]
    fn slugify_falls_back_when_nothing_is_usable() {
        assert_eq!(slugify("مرحبا", "article").as_str(), "article");
        assert_eq!(slugify("", "article").as_str(), "article");
    }

    #[test]
    fn slugify_caps_length_without_trailing_hyphen() {
        let long = "word ".repeat(60);
        let slug = slugify(&long, "x");
        assert!(slug.as_str().len() <= MAX_SLUG_LEN);
        assert!(!slug.as_str().ends_with('-'));
    }

    #[test]
    fn parse_rejects_what_slugify_would_never_make() {
        assert_eq!(Slug::parse(""), Err(SlugError::Empty));
        assert_eq!(Slug::parse("Upper"), Err(SlugError::BadCharacters));
        assert_eq!(Slug::parse("a--b"), Err(SlugError::BadCharacters));
        assert_eq!(Slug::parse("-a"), Err(SlugError::BadCharacters));
        assert!(Slug::parse("a-b-2").is_ok());
    }

    #[test]
    fn suffix_keeps_slug_valid_at_max_length() {
        let base = Slug::parse(&"a".repeat(MAX_SLUG_LEN)).expect("valid");
        let s = base.with_suffix(12);
        assert!(Slug::parse(s.as_str()).is_ok());
        assert!(s.as_str().ends_with("-12"));
    }
}
