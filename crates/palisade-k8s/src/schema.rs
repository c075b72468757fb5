//! Field types of the parts of objects that rules read, checked the way the API server decodes
//! a manifest: `privileged: "maybe"` or `runAsUser: root` is an input error with a position,
//! not something a rule silently reads as "unset".
//!
//! This is deliberately not a full OpenAPI validation: it covers metadata and the pod spec
//! fields that rules look at, so that no rule decides on a value the cluster would reject.

use palisade_core::InputError;

use crate::node::{Node, Value, yaml11_bool, yaml11_int};
use crate::object::Object;
use crate::path::JsonPath;
use crate::workload::pod_view;

#[derive(Debug)]
enum Ty {
    Bool,
    Int,
    Str,
    /// A map of strings to strings (labels, annotations).
    StrMap,
    List(&'static Ty),
    Object(&'static [(&'static str, Ty)]),
}

const SE_LINUX: Ty = Ty::Object(&[
    ("user", Ty::Str),
    ("role", Ty::Str),
    ("type", Ty::Str),
    ("level", Ty::Str),
]);
const PROFILE: Ty = Ty::Object(&[("type", Ty::Str), ("localhostProfile", Ty::Str)]);
const WINDOWS: Ty = Ty::Object(&[
    ("hostProcess", Ty::Bool),
    ("runAsUserName", Ty::Str),
    ("gmsaCredentialSpecName", Ty::Str),
]);
const CAPABILITIES: Ty = Ty::Object(&[("add", Ty::List(&Ty::Str)), ("drop", Ty::List(&Ty::Str))]);

const SECURITY_CONTEXT: Ty = Ty::Object(&[
    ("privileged", Ty::Bool),
    ("allowPrivilegeEscalation", Ty::Bool),
    ("readOnlyRootFilesystem", Ty::Bool),
    ("runAsNonRoot", Ty::Bool),
    ("runAsUser", Ty::Int),
    ("runAsGroup", Ty::Int),
    ("procMount", Ty::Str),
    ("capabilities", CAPABILITIES),
    ("seLinuxOptions", SE_LINUX),
    ("seccompProfile", PROFILE),
    ("appArmorProfile", PROFILE),
    ("windowsOptions", WINDOWS),
]);

static SYSCTL: Ty = Ty::Object(&[("name", Ty::Str), ("value", Ty::Str)]);
static INT: Ty = Ty::Int;

const POD_SECURITY_CONTEXT: Ty = Ty::Object(&[
    ("runAsNonRoot", Ty::Bool),
    ("runAsUser", Ty::Int),
    ("runAsGroup", Ty::Int),
    ("fsGroup", Ty::Int),
    ("supplementalGroups", Ty::List(&INT)),
    ("sysctls", Ty::List(&SYSCTL)),
    ("seLinuxOptions", SE_LINUX),
    ("seccompProfile", PROFILE),
    ("appArmorProfile", PROFILE),
    ("windowsOptions", WINDOWS),
]);

const HANDLER: Ty = Ty::Object(&[
    (
        "httpGet",
        Ty::Object(&[("host", Ty::Str), ("path", Ty::Str)]),
    ),
    ("tcpSocket", Ty::Object(&[("host", Ty::Str)])),
]);

static PORT: Ty = Ty::Object(&[
    ("name", Ty::Str),
    ("containerPort", Ty::Int),
    ("hostPort", Ty::Int),
    ("hostIP", Ty::Str),
    ("protocol", Ty::Str),
]);

static CONTAINER: Ty = Ty::Object(&[
    ("name", Ty::Str),
    ("image", Ty::Str),
    ("imagePullPolicy", Ty::Str),
    ("securityContext", SECURITY_CONTEXT),
    ("ports", Ty::List(&PORT)),
    ("livenessProbe", HANDLER),
    ("readinessProbe", HANDLER),
    ("startupProbe", HANDLER),
    (
        "lifecycle",
        Ty::Object(&[("postStart", HANDLER), ("preStop", HANDLER)]),
    ),
]);

static VOLUME: Ty = Ty::Object(&[
    ("name", Ty::Str),
    (
        "hostPath",
        Ty::Object(&[("path", Ty::Str), ("type", Ty::Str)]),
    ),
]);

const POD_SPEC: Ty = Ty::Object(&[
    ("hostNetwork", Ty::Bool),
    ("hostPID", Ty::Bool),
    ("hostIPC", Ty::Bool),
    ("hostUsers", Ty::Bool),
    ("shareProcessNamespace", Ty::Bool),
    ("automountServiceAccountToken", Ty::Bool),
    ("serviceAccountName", Ty::Str),
    ("os", Ty::Object(&[("name", Ty::Str)])),
    ("securityContext", POD_SECURITY_CONTEXT),
    ("containers", Ty::List(&CONTAINER)),
    ("initContainers", Ty::List(&CONTAINER)),
    ("ephemeralContainers", Ty::List(&CONTAINER)),
    ("volumes", Ty::List(&VOLUME)),
]);

const METADATA: Ty = Ty::Object(&[
    ("name", Ty::Str),
    ("namespace", Ty::Str),
    ("labels", Ty::StrMap),
    ("annotations", Ty::StrMap),
]);

/// Checks the types of the fields rules read: metadata everywhere, and the pod spec of
/// workloads.
pub fn check_types(object: &Object) -> Vec<InputError> {
    let mut errors = Vec::new();
    if let Some(metadata) = object.root.get("metadata") {
        check(
            object,
            metadata,
            &METADATA,
            &JsonPath::root().key("metadata"),
            &mut errors,
        );
    }
    if let Some(view) = pod_view(object) {
        if let Some(metadata) = view
            .metadata
            .filter(|_| view.metadata_path.segments().len() > 1)
        {
            check(
                object,
                metadata,
                &METADATA,
                &view.metadata_path,
                &mut errors,
            );
        }
        check(object, view.spec, &POD_SPEC, &view.spec_path, &mut errors);
    }
    errors
}

fn check(object: &Object, node: &Node, ty: &Ty, path: &JsonPath, errors: &mut Vec<InputError>) {
    let ok = match (ty, &node.value) {
        (_, Value::Null) => true,
        (Ty::Bool, Value::Scalar { text, quoted }) => !quoted && yaml11_bool(text).is_some(),
        (Ty::Int, Value::Scalar { text, quoted }) => !quoted && yaml11_int(text).is_some(),
        (Ty::Str, Value::Scalar { text, quoted }) => *quoted || !resolves_to_non_string(text),
        (Ty::StrMap, Value::Map(entries)) => {
            for entry in entries {
                check(
                    object,
                    &entry.value,
                    &Ty::Str,
                    &path.key(&entry.key),
                    errors,
                );
            }
            true
        }
        (Ty::List(item), Value::Seq(items)) => {
            for (index, node) in items.iter().enumerate() {
                check(object, node, item, &path.index(index), errors);
            }
            true
        }
        (Ty::Object(fields), Value::Map(entries)) => {
            for entry in entries {
                if let Some((_, field_ty)) = fields.iter().find(|(name, _)| *name == entry.key) {
                    check(
                        object,
                        &entry.value,
                        field_ty,
                        &path.key(&entry.key),
                        errors,
                    );
                }
            }
            true
        }
        _ => false,
    };
    if !ok {
        let expected = match ty {
            Ty::Bool => "a boolean",
            Ty::Int => "an integer",
            Ty::Str => "a string",
            Ty::StrMap => "a mapping of strings",
            Ty::List(_) => "a list",
            Ty::Object(_) => "a mapping",
        };
        let hint = match (ty, &node.value) {
            (Ty::Str, Value::Scalar { .. }) => " (quote it)",
            (Ty::Bool | Ty::Int, Value::Scalar { quoted: true, .. }) => " (remove the quotes)",
            _ => "",
        };
        let location = object.location(path);
        errors.push(InputError {
            file: location.file.to_string(),
            line: Some(location.line),
            column: Some(location.column),
            message: format!(
                "{} {}: {} must be {expected}, found {}{hint}",
                object.kind,
                object.name,
                location.path,
                node.describe()
            ),
        });
    }
}

/// A plain scalar that YAML 1.1 reads as a boolean or a number, which a string field rejects.
fn resolves_to_non_string(text: &str) -> bool {
    yaml11_bool(text).is_some() || yaml11_int(text).is_some() || is_yaml11_float(text)
}

fn is_yaml11_float(text: &str) -> bool {
    let body = text.trim_start_matches(['-', '+']);
    matches!(body, ".inf" | ".Inf" | ".INF")
        || matches!(text, ".nan" | ".NaN" | ".NAN")
        || (body.bytes().any(|b| b.is_ascii_digit())
            && body.contains(['.', 'e', 'E'])
            && body.bytes().all(|b| {
                b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+' | b'_')
            })
            && body.replace('_', "").parse::<f64>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::load_stream;
    use std::sync::Arc;

    fn errors(text: &str) -> Vec<String> {
        let loaded = load_stream(&Arc::from("p.yaml"), text);
        check_types(&loaded.objects[0])
            .into_iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn wrong_types_are_errors_with_positions() {
        let errs = errors(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {enabled: true}\nspec:\n  containers:\n  - name: a\n    securityContext:\n      privileged: \"maybe\"\n      runAsUser: root\n",
        );
        assert_eq!(
            errs,
            vec![
                "p.yaml:5:12: Pod p: metadata.labels.enabled must be a string, found boolean \"true\" (quote it)",
                "p.yaml:10:7: Pod p: spec.containers[0].securityContext.privileged must be a boolean, found string \"maybe\" (remove the quotes)",
                "p.yaml:11:7: Pod p: spec.containers[0].securityContext.runAsUser must be an integer, found string \"root\"",
            ]
        );
    }

    #[test]
    fn yaml11_values_of_the_right_type_are_accepted() {
        let errs = errors(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostNetwork: yes\n  securityContext:\n    runAsUser: 0755\n  containers: null\n",
        );
        assert!(errs.is_empty(), "{errs:?}");
    }

    #[test]
    fn floats_are_recognised() {
        assert!(is_yaml11_float("1.5"));
        assert!(is_yaml11_float("-.inf"));
        assert!(is_yaml11_float("1e3"));
        assert!(!is_yaml11_float("v1.2"));
        assert!(!is_yaml11_float("1.2.3"));
    }
}
