//! Where input comes from: files and directories (with `.gitignore` and `--exclude`), stdin,
//! Kustomize directories rendered by `kubectl kustomize`, Helm charts rendered by
//! `helm template`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use ignore::WalkBuilder;
use ignore::overrides::OverrideBuilder;
use palisade_core::InputError;

/// One input stream to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    File(PathBuf),
    /// A Dockerfile (`Dockerfile`, `Containerfile`, `Dockerfile.*`, `*.Dockerfile`).
    Dockerfile(PathBuf),
    Stdin,
    /// A directory holding a `kustomization.yaml`.
    Kustomization(PathBuf),
    /// A directory holding a `Chart.yaml`.
    HelmChart(PathBuf),
}

impl Input {
    /// The name findings and errors show for this input.
    pub fn display_name(&self) -> String {
        match self {
            Input::File(path) | Input::Dockerfile(path) => path.display().to_string(),
            Input::Stdin => "<stdin>".to_string(),
            Input::Kustomization(dir) => kustomization_file(dir)
                .unwrap_or_else(|| dir.join("kustomization.yaml"))
                .display()
                .to_string(),
            Input::HelmChart(dir) => dir.join("Chart.yaml").display().to_string(),
        }
    }

    /// Reads or renders this input into text.
    pub fn read(&self) -> Result<String, InputError> {
        let error = |message: String| InputError {
            file: self.display_name(),
            line: None,
            column: None,
            message,
        };
        let bytes = match self {
            Input::File(path) | Input::Dockerfile(path) => std::fs::read(path).map_err(|e| error(format!("cannot read file: {e}")))?,
            Input::Stdin => {
                let mut buffer = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut buffer)
                    .map_err(|e| error(format!("cannot read standard input: {e}")))?;
                buffer
            }
            Input::Kustomization(dir) => render(
                "kubectl",
                &["kustomize", &dir.display().to_string()],
                &format!(
                    "found a Kustomization in {} but kubectl is not on PATH: install kubectl, or render it yourself with `kustomize build {} | palisade scan -`",
                    dir.display(),
                    dir.display()
                ),
            )
            .map_err(error)?,
            Input::HelmChart(dir) => render(
                "helm",
                &["template", &dir.display().to_string()],
                &format!(
                    "found a Helm chart in {} but helm is not on PATH: install helm, or render it yourself with `helm template {} | palisade scan -`",
                    dir.display(),
                    dir.display()
                ),
            )
            .map_err(error)?,
        };
        decode_text(bytes).map_err(error)
    }
}

/// Text of a manifest, or why it is not text.
fn decode_text(bytes: Vec<u8>) -> Result<String, String> {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Err("binary file (contains NUL bytes), not YAML or JSON".to_string());
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
        format!(
            "not valid UTF-8 (line {line}, byte {offset}); YAML and JSON manifests must be UTF-8"
        )
    })
}

fn render(program: &str, args: &[&str], missing: &str) -> Result<Vec<u8>, String> {
    let output = Command::new(program).args(args).output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            missing.to_string()
        } else {
            format!("cannot run {program}: {e}")
        }
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "`{program} {}` failed: {}",
            args.join(" "),
            stderr.trim()
        ));
    }
    Ok(output.stdout)
}

fn kustomization_file(dir: &Path) -> Option<PathBuf> {
    ["kustomization.yaml", "kustomization.yml", "Kustomization"]
        .iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file())
}

fn classify_dir(dir: &Path) -> Option<Input> {
    if kustomization_file(dir).is_some() {
        Some(Input::Kustomization(dir.to_path_buf()))
    } else if dir.join("Chart.yaml").is_file() {
        Some(Input::HelmChart(dir.to_path_buf()))
    } else {
        None
    }
}

/// Whether a file is a Dockerfile by its name: `Dockerfile`, `Containerfile`,
/// `Dockerfile.<anything>`, `<anything>.Dockerfile` (any case of the first letter).
pub fn is_dockerfile(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    ["Dockerfile", "Containerfile", "dockerfile", "containerfile"]
        .iter()
        .any(|base| {
            name == *base
                || name
                    .strip_prefix(base)
                    .is_some_and(|rest| rest.starts_with('.'))
                || name
                    .strip_suffix(base)
                    .is_some_and(|rest| rest.ends_with('.'))
        })
}

fn is_manifest_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json" | "jsonl")
    ) || is_kubeconfig_file(path)
}

/// A kubeconfig under one of the names they go by (`config`, `kubeconfig`, `*.conf` as in
/// /etc/kubernetes/admin.conf), or a systemd drop-in that starts the kubelet (`*.conf` as in
/// kubelet.service.d/10-kubeadm.conf) — recognised by their start, so that other `.conf` files
/// (nginx, other units) are left alone.
fn is_kubeconfig_file(path: &Path) -> bool {
    let named = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("conf" | "env")
    ) || matches!(
        path.file_name().and_then(|n| n.to_str()),
        Some("config" | "kubeconfig" | "kubelet")
    );
    if !named {
        return false;
    }
    let mut head = [0u8; 4096];
    let read = std::fs::File::open(path)
        .and_then(|mut file| std::io::Read::read(&mut file, &mut head))
        .unwrap_or(0);
    let head = String::from_utf8_lossy(&head[..read]);
    let mut lines = head.lines().map(str::trim_end);
    let kubeconfig = lines.clone().any(|l| l == "kind: Config")
        && lines.any(|l| l.starts_with("apiVersion: v1"));
    kubeconfig || crate::systemd::is_kubelet_flags(&head)
}

/// Expands the command-line paths into inputs, in a deterministic order. Directories are walked
/// recursively honouring `.gitignore`/`.ignore` files and the `excludes` globs; a directory with a
/// `kustomization.yaml` or `Chart.yaml` becomes one rendered input and is not descended into.
/// Files named explicitly are always read, whatever their extension.
pub fn discover(paths: &[PathBuf], excludes: &[String]) -> (Vec<Input>, Vec<InputError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(e) => {
                errors.push(InputError {
                    file: path.display().to_string(),
                    line: None,
                    column: None,
                    message: format!("cannot read: {e}"),
                });
                continue;
            }
        };
        if metadata.is_file() {
            inputs.push(if is_dockerfile(path) {
                Input::Dockerfile(path.clone())
            } else {
                Input::File(path.clone())
            });
            continue;
        }
        if let Some(rendered) = classify_dir(path) {
            inputs.push(rendered);
            continue;
        }
        match walk(path, excludes) {
            Ok((found, walk_errors)) => {
                inputs.extend(found);
                errors.extend(walk_errors);
            }
            Err(error) => errors.push(error),
        }
    }
    (inputs, errors)
}

fn walk(root: &Path, excludes: &[String]) -> Result<(Vec<Input>, Vec<InputError>), InputError> {
    let mut overrides = OverrideBuilder::new(root);
    for glob in excludes {
        overrides.add(&format!("!{glob}")).map_err(|e| InputError {
            file: glob.clone(),
            line: None,
            column: None,
            message: format!("invalid --exclude glob: {e}"),
        })?;
    }
    let overrides = overrides.build().map_err(|e| InputError {
        file: root.display().to_string(),
        line: None,
        column: None,
        message: format!("invalid --exclude glob: {e}"),
    })?;
    let rendered = Arc::new(Mutex::new(Vec::new()));
    let found_rendered = Arc::clone(&rendered);
    let walker = WalkBuilder::new(root)
        .overrides(overrides)
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir
                && entry.depth() > 0
                && let Some(input) = classify_dir(entry.path())
            {
                found_rendered
                    .lock()
                    .expect("walk is single-threaded")
                    .push(input);
                return false;
            }
            true
        })
        .build();
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for entry in walker {
        match entry {
            Ok(entry) => {
                if entry.file_type().is_some_and(|t| t.is_file()) {
                    if is_manifest_file(entry.path()) {
                        inputs.push(Input::File(entry.into_path()));
                    } else if is_dockerfile(entry.path()) {
                        inputs.push(Input::Dockerfile(entry.into_path()));
                    }
                }
            }
            Err(e) => errors.push(InputError {
                file: root.display().to_string(),
                line: None,
                column: None,
                message: e.to_string(),
            }),
        }
    }
    inputs.extend(std::mem::take(
        &mut *rendered.lock().expect("walk is single-threaded"),
    ));
    Ok((inputs, errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_manifests_honouring_gitignore_excludes_and_rendered_dirs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in [
            "a.yaml",
            "b.yml",
            "c.json",
            "notes.txt",
            "ignored.yaml",
            "sub/d.yaml",
            "skip/e.yaml",
            "Dockerfile",
            "api/Containerfile",
            "api/prod.Dockerfile",
            "Dockerfile.dev",
            "Dockerfile-notes",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x: 1\n").unwrap();
        }
        std::fs::write(root.join(".gitignore"), "ignored.yaml\n").unwrap();
        // Kubeconfigs and kubelet drop-ins by their usual names, recognised by content; other
        // .conf files are not.
        let kubeconfig = "apiVersion: v1\nclusters: []\nkind: Config\nusers: []\n";
        std::fs::write(root.join("admin.conf"), kubeconfig).unwrap();
        std::fs::write(root.join("sub/config"), kubeconfig).unwrap();
        std::fs::write(root.join("nginx.conf"), "server { listen 80; }\n").unwrap();
        std::fs::write(root.join("10-kubeadm.conf"), "[Service]\nEnvironment=\"KUBELET_KUBECONFIG_ARGS=--kubeconfig=/etc/kubernetes/kubelet.conf\"\n").unwrap();
        std::fs::create_dir_all(root.join("kust")).unwrap();
        std::fs::write(root.join("kust/kustomization.yaml"), "resources: []\n").unwrap();
        std::fs::write(root.join("kust/inner.yaml"), "x: 1\n").unwrap();
        let (inputs, errors) = discover(&[root.to_path_buf()], &["skip/**".to_string()]);
        assert!(errors.is_empty(), "{errors:?}");
        let names: Vec<String> = inputs
            .iter()
            .map(|i| match i {
                Input::File(p) => p.strip_prefix(root).unwrap().display().to_string(),
                Input::Dockerfile(p) => {
                    format!("docker:{}", p.strip_prefix(root).unwrap().display())
                }
                Input::Kustomization(p) => {
                    format!("kustomize:{}", p.strip_prefix(root).unwrap().display())
                }
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            names,
            vec![
                "10-kubeadm.conf",
                "docker:Dockerfile",
                "docker:Dockerfile.dev",
                "a.yaml",
                "admin.conf",
                "docker:api/Containerfile",
                "docker:api/prod.Dockerfile",
                "b.yml",
                "c.json",
                "sub/config",
                "sub/d.yaml",
                "kustomize:kust"
            ]
        );
    }

    #[test]
    fn missing_paths_and_binary_files_are_errors() {
        let (_, errors) = discover(&[PathBuf::from("/nonexistent/x.yaml")], &[]);
        assert_eq!(errors.len(), 1);
        assert!(
            decode_text(vec![0x7f, b'E', b'L', b'F', 0, 1])
                .unwrap_err()
                .contains("binary")
        );
        assert!(
            decode_text(vec![b'a', b'\n', 0xff, 0xfe])
                .unwrap_err()
                .contains("line 2")
        );
    }
}
