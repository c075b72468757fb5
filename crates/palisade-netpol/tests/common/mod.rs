//! Tiny clusters written in a few lines.

// Each test binary uses some of these helpers.
#![allow(dead_code)]

use std::sync::Arc;

use palisade_k8s::load_stream;
use palisade_netpol::{Model, PortQuery};

/// The model of a YAML stream (which must load without errors).
pub fn model(yaml: &str) -> Model {
    let loaded = load_stream(&Arc::from("cluster.yaml"), yaml);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    Model::from_objects(&loaded.objects)
}

/// A Deployment `name` in `namespace` with pod labels `app: name` plus `labels` (flow-style
/// YAML pairs such as `tier: db`) and container `ports` (flow-style list items such as
/// `{containerPort: 80, name: http}`).
pub fn deploy(namespace: &str, name: &str, labels: &str, ports: &str) -> String {
    let extra = if labels.is_empty() {
        String::new()
    } else {
        format!(", {labels}")
    };
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {namespace}}}\n\
         spec:\n  template:\n    metadata:\n      labels: {{app: {name}{extra}}}\n    spec:\n      \
         containers:\n      - name: main\n        image: example\n        ports: [{ports}]\n---\n"
    )
}

/// A NetworkPolicy `name` in `namespace` with `spec` given as flow-style YAML.
pub fn policy(namespace: &str, name: &str, spec: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: {namespace}}}\nspec: {spec}\n---\n"
    )
}

/// What `from` may reach `to` on, as text (`all`, `none`, `80/TCP, 53/UDP`).
pub fn ports(model: &Model, from: &str, to: &str) -> String {
    let from = model.parse_endpoint(from).expect("a known endpoint");
    let to = model.parse_endpoint(to).expect("a known endpoint");
    model.allowed_ports(from, to).to_string()
}

/// Whether `from` may reach `to` on `port` (`80/TCP`).
pub fn reaches(model: &Model, from: &str, to: &str, port: &str) -> bool {
    let port: PortQuery = port.parse().expect("a port");
    let from = model.parse_endpoint(from).expect("a known endpoint");
    let to = model.parse_endpoint(to).expect("a known endpoint");
    model.reach(from, to, Some(port)).allowed
}
