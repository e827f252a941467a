//! Integration tests through real parts: the store on SQLite and PostgreSQL, and the HTTP
//! app on 127.0.0.1:0. One binary, modules by subject.

mod api_admin;
mod api_public;
mod archive;
mod authz;
mod backup;
mod cache;
mod change_cursor;
mod demo;
mod discovery;
mod feeds;
mod import;
mod import_formats;
mod import_rules;
mod input_text;
mod metrics;
mod newsroom;
mod oembed;
mod old_addresses;
mod openapi;
mod pages;
mod password_hashing;
mod pushed_changes;
mod related_panel;
mod render_budget;
mod share_cards;
mod sitemaps;
mod slugs;
mod store;
mod store_editor;
mod stories;
mod throttle;
mod websub;
