//! Links: the URL and HTTP rules `fetch` and `check` share, so that both agree on what one
//! link is ([`canonical`]), how an outside server is asked ([`http`]) and how many at once
//! ([`pool`]).

pub mod canonical;
pub mod http;
pub mod pool;
