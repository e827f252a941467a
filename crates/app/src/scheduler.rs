//! Scheduled publishing: articles whose time has come go live, also after a restart
//! (the schedule lives in the store, not in memory).

use std::time::Duration;

use chrono::Utc;

use crate::articles::Actor;
use crate::{App, Error};

/// Publishes every due scheduled article once; returns how many went live.
pub async fn publish_due(app: &App) -> Result<usize, Error> {
    let due = app.store().due_scheduled(Utc::now()).await?;
    let mut published = 0;
    for (id, version) in due {
        match app
            .publish_article(&Actor::scheduler(), id, None, Some(version))
            .await
        {
            Ok(_) => published += 1,
            // Someone changed or unscheduled it meanwhile; the next tick sees the new state.
            Err(Error::Conflict { .. } | Error::Transition { .. } | Error::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(published)
}

/// Runs [`publish_due`] every `scheduler_interval_ms` until shutdown.
pub async fn run(app: App, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_millis(app.config().scheduler_interval_ms));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                match publish_due(&app).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(published = n, "scheduled articles published"),
                    Err(e) => tracing::warn!(error = %e, "scheduled publishing failed; will retry"),
                }
            }
            _ = shutdown.changed() => break,
        }
    }
}
