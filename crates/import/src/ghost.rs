//! Ghost (placeholder)
