//! The newsroom's article pages, one room each: the list, the editor page, saving it
//! (save, autosave, publish, schedule, correct, unpublish, delete), the conflict view shown
//! when a save was based on an older version, and history with word-level diffs and
//! restore.

mod conflict;
mod editor;
mod history;
mod list;
mod save;

pub use editor::{edit, new_page};
pub use history::{diff, history, restore};
pub use list::list;
pub use save::{create, delete, save};
