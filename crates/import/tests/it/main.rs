//! Integration tests of the WXR and Ghost readers against the real fixtures in
//! `../shared/fixtures` and small exports written here.

mod fixtures;
mod ghost;
mod robustness;
mod wxr;
