//! `myna country prometheus FILE`: a Prometheus scrape configuration for the country's nodes,
//! made from the same file as the country, so the two cannot drift. Nodes serve `/metrics`
//! over HTTPS from the network's CA; the hub asks every caller for a certificate, so the
//! scraper presents the network's `monitor` certificate (made by `myna country up`).

use std::fmt::Write as _;

use super::file::Country;

/// The monitor's certificate name in the network folder.
pub const MONITOR: &str = "monitor";

/// The scrape configuration (YAML), one job per kind of node, with the alert rules beside it.
pub fn config(country: &Country, rules: &str) -> String {
    let network = country.network();
    let tls = format!(
        "    scheme: https\n    tls_config:\n      ca_file: {}\n      cert_file: {}\n      key_file: {}\n",
        network.join("ca.pem").display(),
        network.join(MONITOR).join("node.pem").display(),
        network.join(MONITOR).join("node.key").display(),
    );
    let mut out = String::from(
        "# Made by `myna country prometheus`: regenerate it when the country file changes.\nglobal:\n  scrape_interval: 15s\n",
    );
    let _ = writeln!(out, "rule_files:\n  - {rules}\nscrape_configs:");
    let mut kinds: Vec<&str> = country.nodes.iter().map(|n| n.role.kind()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    for kind in kinds {
        let _ = writeln!(out, "  - job_name: myna_{kind}\n{tls}    static_configs:");
        for n in country.nodes.iter().filter(|n| n.role.kind() == kind) {
            let _ = writeln!(
                out,
                "      - targets: [\"localhost:{}\"]\n        labels: {{node: \"{}\"}}",
                n.listen.port(),
                n.name
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_node_is_scraped_with_the_monitor_certificate() {
        let text = include_str!("../../../../../deploy/country.toml");
        let c = Country::parse(text, std::path::Path::new("/srv/country")).unwrap();
        let y = config(&c, "alerts.yml");
        assert!(y.contains("cert_file: /srv/country/state/network/monitor/node.pem"), "{y}");
        for n in &c.nodes {
            assert!(y.contains(&format!("targets: [\"localhost:{}\"]", n.listen.port())), "{} missing: {y}", n.name);
        }
        assert_eq!(y.matches("job_name: myna_agency").count(), 1, "{y}");
    }
}
