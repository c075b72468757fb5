//! palisade-k8s owns reading Kubernetes input: finding files, rendering Kustomize and Helm,
//! cutting streams into documents, parsing YAML and JSON into trees that remember every node's
//! line and column, turning documents into objects (with `List` items flattened), checking
//! field types the way the API server decodes them, the workload views that give every
//! pod-carrying kind one pod-spec view, label selectors as the API server evaluates them, and
//! the service mesh settings that metadata carries.

pub mod flags;
pub mod mesh;
pub mod node;
pub mod yaml;

pub use node::{Entry, Node, Pos, Value};
pub mod object;
pub mod path;
pub mod schema;
pub mod selector;
pub mod systemd;
pub mod workload;

pub use object::{Loaded, Object, load_document, load_stream};
pub use path::JsonPath;
pub use workload::{ContainerKind, ContainerView, PodView, is_workload, pod_view};
pub mod source;

pub use source::{Input, discover, is_dockerfile};
