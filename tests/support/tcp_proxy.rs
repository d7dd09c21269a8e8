//! A TCP proxy on loopback that can cut its connections: the database going away (refused),
//! hanging (accepted, never answered) or restarting at once (cut, then accepted again)
//! under a running badger, without touching the real server other tests share.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Up,
    /// Every connection is cut and new ones are closed at once (a restart, a crash).
    Refuse,
    /// Connections stay open but nothing passes either way (a network black hole).
    Blackhole,
}

pub struct Proxy {
    pub port: u16,
    mode: watch::Sender<Mode>,
    tasks: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Proxy {
    pub async fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("proxy addr").port();
        let (mode, rx) = watch::channel(Mode::Up);
        let tasks: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
        let t = tasks.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let rx = rx.clone();
                let h = tokio::spawn(serve(client, target, rx));
                t.lock().unwrap().push(h);
            }
        });
        Proxy { port, mode, tasks }
    }

    pub fn set(&self, m: Mode) {
        if m == Mode::Refuse {
            self.cut();
        }
        self.mode.send_replace(m);
    }

    /// Cuts every connection open now, mid-statement or not, as a database restart does;
    /// new ones are served as the mode says (in `Up`, at once: a restart already over).
    pub fn cut(&self) {
        for h in self.tasks.lock().unwrap().drain(..) {
            h.abort();
        }
    }
}

async fn serve(mut client: TcpStream, target: SocketAddr, mut mode: watch::Receiver<Mode>) {
    let current = *mode.borrow();
    match current {
        Mode::Refuse => return,
        Mode::Blackhole => {
            // Hold the socket, say nothing, until the mode changes; then drop it.
            let _ = mode.changed().await;
            return;
        }
        Mode::Up => {}
    }
    let Ok(mut server) = TcpStream::connect(target).await else {
        return;
    };
    let frozen = tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => false,
        r = mode.wait_for(|m| *m != Mode::Up) => r.is_ok(),
    };
    if frozen {
        // Keep both ends open and silent until the proxy is up again.
        let _ = mode.wait_for(|m| *m == Mode::Up).await;
    }
}
