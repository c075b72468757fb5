//! palisade-netpol owns Kubernetes network isolation as `networking.k8s.io/v1` NetworkPolicies
//! define it: the network model of an inventory (namespaces with their labels, workloads as
//! pod endpoints with their container ports, Services, policies, and the cluster DNS), the
//! exact semantics of policy selection, peers, `ipBlock`s and ports ([`eval`]), the questions
//! built on them (`reach` with the rules that decide it, the connectivity [`Matrix`]), the
//! coverage of the policies as data ([`coverage`]) and as registry rules ([`rules`]), the
//! generation of least-privilege policies for a list of required connections ([`generate`]),
//! and the allowed connections a service mesh leaves in plaintext ([`mesh`]).
//!
//! Caveats the answers carry as [`Note`]s rather than hide: hostNetwork pods are not subject to
//! policies; `ipBlock`s are matched against addresses outside the cluster only (whether they
//! match pod addresses is up to the network plugin); traffic through node ports and load
//! balancers may be SNATed; nothing holds without a network plugin that enforces policies.

pub mod cidr;
pub mod coverage;
pub mod eval;
pub mod generate;
pub mod mesh;
pub mod model;
pub mod ports;
pub mod query;
pub mod rules;
pub use palisade_k8s::selector;

pub use cidr::{Cidr, IpBlock};
pub use coverage::Coverage;
pub use eval::Endpoint;
pub use generate::{Generated, RequiredConnection, generate};
pub use model::{Direction, Model, ModelBuilder, Note, NoteKind, Policy, Workload};
pub use ports::{PortRange, PortSet, Protocol};
pub use query::{EndpointRef, Matrix, MatrixOptions, PortQuery, Reach, Verdict};
