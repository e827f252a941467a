//! Integration tests through real parts: the store on SQLite and PostgreSQL, and the HTTP
//! app on 127.0.0.1:0. One binary, modules by subject.

mod api_admin;
mod api_public;
mod authz;
mod cache;
mod change_cursor;
mod discovery;
mod import;
mod newsroom;
mod openapi;
mod pages;
mod related_panel;
mod store;
mod store_editor;
