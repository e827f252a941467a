//! argon2 takes tens of milliseconds of CPU per password: it must run beside the async
//! workers, never on them, or every request on that worker stalls meanwhile.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dateline_app::{App, Backend, Config};
use dateline_core::Role;
use dateline_testkit::TestDb;

/// The longest the only async worker was kept from ticking while `work` ran.
async fn longest_stall<F: std::future::Future>(work: F) -> (F::Output, Duration) {
    let longest = Arc::new(AtomicU64::new(0));
    let seen = longest.clone();
    let ticker = tokio::spawn(async move {
        let mut last = Instant::now();
        loop {
            tokio::time::sleep(Duration::from_millis(1)).await;
            let gap = last.elapsed().as_micros() as u64;
            seen.fetch_max(gap, Ordering::Relaxed);
            last = Instant::now();
        }
    });
    // Let the ticker start before the work does.
    tokio::time::sleep(Duration::from_millis(5)).await;
    longest.store(0, Ordering::Relaxed);
    let out = work.await;
    // Let the ticker wake once more: its next tick measures a stall at the very end.
    tokio::time::sleep(Duration::from_millis(5)).await;
    ticker.abort();
    (out, Duration::from_micros(longest.load(Ordering::Relaxed)))
}

#[test]
fn creating_a_user_and_resetting_a_password_hash_off_the_async_worker() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let db = TestDb::create(Backend::Sqlite).await.expect("db");
        let store = db.store().await.expect("store");
        let config = Config::new(
            "127.0.0.1:8080".parse().expect("addr"),
            db.dir.path().to_path_buf(),
        );
        let app = App::with_store(config, store);
        // The fastest of a few hashes (the first one also pays for its memory).
        let mut one_hash = Duration::MAX;
        for _ in 0..3 {
            let started = Instant::now();
            dateline_app::credentials::hash_password("a long enough password")
                .await
                .expect("hash");
            one_hash = one_hash.min(started.elapsed());
        }

        let (user, stall) = longest_stall(app.create_user(
            "desk@example.org",
            "Desk",
            Role::Editor,
            "a long enough password",
        ))
        .await;
        let user = user.expect("create");
        assert!(
            stall < one_hash / 2,
            "create_user stalled the worker {stall:?}; one hash takes {one_hash:?}"
        );
        let link = app.reset_link(&user.email).await.expect("link");
        let token = link.rsplit('/').next().expect("token").to_owned();
        let (reset, stall) =
            longest_stall(app.reset_password(&token, "another long password")).await;
        reset.expect("reset");
        assert!(
            stall < one_hash / 2,
            "reset_password stalled the worker {stall:?}; one hash takes {one_hash:?}"
        );
        // The new password works, read back through sign-in verification.
        app.verify_password("desk@example.org", "another long password")
            .await
            .expect("new password");
    });
}
