//! Interoperability with the IETF's reference implementation of SD-JWT (the Python `sd-jwt`
//! package on PyPI, installed by scripts/test.sh into target/sd-jwt-venv): it verifies a
//! presentation myna made of a credential myna issued, seeing exactly the disclosed claims;
//! and it makes a presentation, as a holder, of a credential myna issued to its key, which
//! myna's verifier accepts — and refuses once the nonce is another's.

use std::{path::PathBuf, process::Command};

use aws_lc_rs::{
    rand::SystemRandom,
    signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _},
};
use myna_credential::{
    IssuerKey, Jwk,
    sdjwt::{self, Expect, KeyBinding, SdJwtError},
};
use serde_json::{Value, json};

const ISS: &str = "https://qualifications.myna.invalid";

fn python() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/sd-jwt-venv/bin/python");
    assert!(
        p.exists(),
        "the IETF reference implementation is needed: run scripts/test.sh (it installs `sd-jwt` from PyPI into target/sd-jwt-venv)"
    );
    p
}

/// Runs `script` with the reference implementation, `input` as its JSON stdin; its JSON stdout.
fn run(script: &str, input: &Value) -> Value {
    use std::io::Write as _;
    let mut child = Command::new(python())
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn credential(issuer: &IssuerKey, holder: &Jwk) -> String {
    let claims = json!({"iss": ISS, "iat": 1_796_600_000, "vct": "urn:myna:qualification:physician",
        "qualification": "医師", "registration_number": "第123456号", "name": "厚労 花子",
        "birthdate": "1990-04-01", "address": "東京都千代田区霞が関二丁目1番2号"});
    issuer.issue(claims.as_object().unwrap(), &["registration_number", "name", "birthdate", "address"], holder).unwrap()
}

const VERIFY: &str = r#"
import json, sys
from jwcrypto.jwk import JWK
from sd_jwt.verifier import SDJWTVerifier
i = json.load(sys.stdin)
v = SDJWTVerifier(i["presentation"], lambda iss, header: JWK(**i["issuer"]), expected_aud=i["aud"], expected_nonce=i["nonce"])
print(json.dumps(v.get_verified_payload(), ensure_ascii=False))
"#;

const HOLDER_KEY: &str = r#"
import json
from jwcrypto.jwk import JWK
k = JWK.generate(kty="EC", crv="P-256")
print(json.dumps({"private": json.loads(k.export_private()), "public": json.loads(k.export_public())}))
"#;

const PRESENT: &str = r#"
import json, sys
from jwcrypto.jwk import JWK
from sd_jwt.holder import SDJWTHolder
i = json.load(sys.stdin)
h = SDJWTHolder(i["issued"])
h.create_presentation({c: True for c in i["disclose"]}, nonce=i["nonce"], aud=i["aud"], holder_key=JWK(**i["key"]), sign_alg="ES256")
print(json.dumps({"presentation": h.sd_jwt_presentation}))
"#;

#[test]
fn the_reference_implementation_verifies_ours_and_we_verify_its_presentation() {
    let issuer = IssuerKey::from_pkcs8("2026-1", &IssuerKey::generate().unwrap()).unwrap();
    let ijwk = issuer.jwk().unwrap();
    let issuer_json = json!({"kty": "EC", "crv": "P-256", "x": match &ijwk { Jwk::Ec { x, .. } => x.clone(), _ => unreachable!() },
        "y": match &ijwk { Jwk::Ec { y, .. } => y.clone(), _ => unreachable!() }});

    // Ours, presented by a myna holder, verified by the reference implementation.
    let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new()).unwrap();
    let wallet = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der.as_ref()).unwrap();
    let issued = credential(&issuer, &Jwk::p256(wallet.public_key().as_ref()).unwrap());
    let now = myna_now();
    let sign = |m: &[u8]| wallet.sign(&SystemRandom::new(), m).map(|s| s.as_ref().to_vec()).map_err(|e| e.to_string());
    let kb = KeyBinding { aud: "https://hospital.example", nonce: "nonce-1", iat: now, alg: "ES256", sign: &sign };
    let p = sdjwt::present(&issued, &["registration_number", "name"], Some(kb)).unwrap();
    let seen = run(
        VERIFY,
        &json!({"presentation": p.text, "issuer": issuer_json, "aud": "https://hospital.example", "nonce": "nonce-1"}),
    );
    assert_eq!(seen["registration_number"], "第123456号");
    assert_eq!(seen["name"], "厚労 花子");
    assert_eq!(seen["qualification"], "医師");
    assert!(seen.get("birthdate").is_none() && seen.get("address").is_none(), "{seen}");

    // A credential of ours issued to a key the reference implementation holds; it presents.
    let key = run(HOLDER_KEY, &json!({}));
    let holder: Jwk = serde_json::from_value(key["public"].clone()).unwrap();
    let issued = credential(&issuer, &holder);
    let made = run(
        PRESENT,
        &json!({"issued": issued, "disclose": ["name", "registration_number"], "nonce": "nonce-2",
        "aud": "https://hospital.example", "key": key["private"]}),
    );
    let text = made["presentation"].as_str().unwrap();
    let keys = |iss: &str, _: Option<&str>| (iss == ISS).then(|| ijwk.clone());
    let expect = |nonce| Expect { aud: "https://hospital.example", nonce, now: myna_now(), max_age: 300 };
    let v = sdjwt::verify(text, &keys, &expect("nonce-2")).unwrap();
    let mut disclosed = v.disclosed.clone();
    disclosed.sort();
    assert_eq!(disclosed, ["name", "registration_number"]);
    assert_eq!(v.claims["name"], "厚労 花子");
    assert_eq!(sdjwt::verify(text, &keys, &expect("nonce-3")), Err(SdJwtError::Nonce));
}

fn myna_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default()
}
