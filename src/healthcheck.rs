//! `badger healthcheck`: asks the running badger's `/healthz` over loopback and exits 0 if
//! it answers 200. For a container's HEALTHCHECK, where the slim image has no curl.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The whole check gives up after this.
const TIMEOUT: Duration = Duration::from_secs(3);

/// Where to knock: `BADGER_BIND`, with an all-interfaces address replaced by loopback.
pub fn target(bind: Option<&str>) -> Result<SocketAddr, String> {
    let bind = bind
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .unwrap_or("127.0.0.1:3000");
    let mut addr: SocketAddr = bind.parse().map_err(|_| {
        format!("environment variable BADGER_BIND: `{bind}` must be an address like 127.0.0.1:3000 (an IP address and port; hostnames are not accepted)")
    })?;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr.ip() {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
        });
    }
    Ok(addr)
}

/// Ok when `/healthz` at `addr` answers 200 within the timeout; Err says what happened.
pub async fn check(addr: SocketAddr) -> Result<(), String> {
    let ask = async {
        let mut stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| format!("cannot send to {addr}: {e}"))?;
        let mut head = vec![0u8; 64];
        let n = stream
            .read(&mut head)
            .await
            .map_err(|e| format!("no answer from {addr}: {e}"))?;
        let head = String::from_utf8_lossy(&head[..n]);
        let status_line = head.lines().next().unwrap_or("").to_owned();
        if status_line.starts_with("HTTP/1.1 200") || status_line.starts_with("HTTP/1.0 200") {
            Ok(())
        } else {
            Err(format!("{addr}/healthz answered `{status_line}`"))
        }
    };
    tokio::time::timeout(TIMEOUT, ask)
        .await
        .unwrap_or_else(|_| Err(format!("{addr}/healthz did not answer within {TIMEOUT:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_interfaces_become_loopback() {
        assert_eq!(target(None).unwrap().to_string(), "127.0.0.1:3000");
        assert_eq!(
            target(Some("0.0.0.0:3000")).unwrap().to_string(),
            "127.0.0.1:3000"
        );
        assert_eq!(target(Some("[::]:8080")).unwrap().to_string(), "[::1]:8080");
        assert_eq!(
            target(Some("10.1.2.3:80")).unwrap().to_string(),
            "10.1.2.3:80"
        );
        let e = target(Some("localhost:3000")).unwrap_err();
        assert!(
            e.contains("BADGER_BIND") && e.contains("hostnames are not accepted"),
            "{e}"
        );
    }
}
