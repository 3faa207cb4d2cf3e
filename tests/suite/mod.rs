//! The test cases, one module per area.

mod bridge;
mod build;
mod capture;
mod cot;
mod doctor;
mod errors;
mod formats;
mod hints;
mod ifaces;
mod interop;
mod join;
mod limits;
mod listen_exit;
mod live;
mod mqtt;
mod platform;
mod replies;
mod robust;
mod send_listen;
mod seq;
mod stdin;
mod tls;
