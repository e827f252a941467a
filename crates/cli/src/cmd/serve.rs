//! `dateline serve`.

use anyhow::Context as _;
use dateline_app::{App, Config};
use dateline_web::WebState;

pub async fn run(mut config: Config, demo: bool) -> anyhow::Result<()> {
    let addr = config.addr;
    // Bound first, so that with port 0 the links the site writes (canonical URLs, feeds,
    // sitemaps, reset links) name the port really served, not ":0".
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    let local = listener.local_addr().context("reading the bound address")?;
    if config.base_url == format!("http://{addr}") {
        config.base_url = format!("http://{local}");
    }
    let app = App::open(config).await.context("opening the store")?;
    if demo {
        let loaded = dateline_app::demo::load_if_empty(&app)
            .await
            .context("loading sample articles")?;
        if loaded > 0 {
            tracing::info!(articles = loaded, "sample articles loaded");
        }
    }
    first_run_hints(&app).await?;
    app.start_discovery().context("opening the search index")?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let tasks = app.spawn_background(stop_rx.clone());
    let state = WebState::new(app.clone())?;
    tracing::info!(addr = %local, "dateline is serving on http://{local}/");
    eprintln!("dateline is serving on http://{local}/  (Ctrl-C to stop)");
    // On a signal the background tasks stop at once (the indexer saves the related
    // articles first thing) while HTTP drains requests in flight, for at most the grace
    // period: a client that sent half its headers must not keep the process alive.
    let signalled = async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    };
    let grace = std::time::Duration::from_secs(app.config().shutdown_grace_secs);
    let mut stopping = stop_rx;
    let server = dateline_web::serve(state, listener, signalled);
    tokio::pin!(server);
    tokio::select! {
        served = &mut server => served.context("serving HTTP")?,
        _ = async {
            let _ = stopping.wait_for(|stop| *stop).await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!(
                grace_secs = grace.as_secs(),
                "connections still open after the shutdown grace period; closing them"
            );
        }
    }
    for task in tasks {
        let _ = task.await;
    }
    app.store().close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn first_run_hints(app: &App) -> anyhow::Result<()> {
    let users = app.store().user_count().await?;
    let articles = app.store().article_count().await?;
    if users == 0 {
        let base = &app.config().base_url;
        eprintln!(
            "\nWelcome to dateline. This is a new install.\n\
             \n  1. Create the first admin:   open {base}/setup in a browser on this machine\
             \n                               (or: dateline user create --role admin --email you@example.com)\
             \n  2. Write in the browser:     {base}/admin\
             \n  3. Load articles:            dateline import --format jsonl FILE.jsonl\
             \n                               (or restart with `dateline serve --demo` for sample articles)\n\
             \nUse the same --data-dir / --database-url for these commands as for serve.\n"
        );
    } else if articles == 0 {
        eprintln!("No articles yet: import some with `dateline import --format jsonl FILE`, or run `dateline serve --demo`.");
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "could not listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
