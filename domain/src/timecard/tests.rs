//! Tests of `timecard`: examples named after behaviour, and properties.

use chrono::Duration;
use p256::elliptic_curve::scalar::IsHigh as _;
use p256::pkcs8::EncodePublicKey as _;
use proptest::prelude::*;
use rand::rngs::OsRng;

use super::*;

/// Made by `tests/vectors/gen_clock_event_v1.py` (Python `cryptography` and `openssl`).
#[derive(Deserialize)]
struct Vector {
    canonical: String,
    sha256_hex: String,
    private_key_hex: String,
    public_key_pem: String,
    public_key_spki_b64: String,
    public_key_sec1_uncompressed_b64: String,
    public_key_sec1_compressed_b64: String,
    python_low_s_der_b64: String,
    python_low_s_raw_b64: String,
    python_high_s_der_b64: String,
    python_high_s_raw_b64: String,
    openssl_der_b64: String,
    rfc6979_der_b64: String,
    other_p256_spki_b64: String,
    secp256k1_spki_b64: String,
    rsa_spki_b64: String,
}

fn vector() -> Vector {
    serde_json::from_str(include_str!("../../tests/vectors/clock_event_v1.json")).unwrap()
}

fn vector_key() -> SigningKey {
    SigningKey::from_slice(&hex::decode(vector().private_key_hex).unwrap()).unwrap()
}

fn uuid(s: &str) -> Uuid {
    Uuid::parse_str(s).unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// The event frozen in `clock_event_v1.json`.
fn frozen_event() -> ClockEvent {
    ClockEvent {
        event_id: uuid("0190a5b4-6c1e-7a3f-9b2d-1c4e5f6a7b8c"),
        device_id: uuid("5F0C6B1E-2D3A-4C5B-8E9F-0A1B2C3D4E5F"),
        officer_id: uuid("7d3e2f10-8a9b-4c6d-9e1f-2a3b4c5d6e7f"),
        job_id: uuid("c0ffee00-1234-4abc-8def-0123456789ab"),
        kind: PunchKind::In,
        seq: 42,
        prev_hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        fix: EventFix {
            lat_e7: 407_127_753,
            lon_e7: -740_059_728,
            accuracy_cm: 1250,
            fix_time: utc("2025-03-14T17:59:58.25-04:00"),
            provider: "fused".into(),
            is_mock: false,
        },
        device_time: utc("2025-03-14T22:00:00.000000001Z"),
        monotonic_ms: 86_400_123,
        boot_id: "b3f1c2d4-9e8a-4b7c-a6d5-e4f3a2b1c0d9".into(),
    }
}

/// The event a device signs right after `prev`.
fn event_after(prev: &ClockEvent) -> ClockEvent {
    ClockEvent {
        event_id: Uuid::from_u128(prev.event_id.as_u128().wrapping_add(1)),
        kind: match prev.kind {
            PunchKind::In => PunchKind::Out,
            PunchKind::Out => PunchKind::In,
        },
        seq: prev.seq + 1,
        prev_hash: prev.hash_hex(),
        device_time: prev.device_time + Duration::minutes(30),
        monotonic_ms: prev.monotonic_ms + 1_800_000,
        ..prev.clone()
    }
}

fn first_event() -> ClockEvent {
    ClockEvent {
        seq: 1,
        prev_hash: GENESIS_HASH.into(),
        ..frozen_event()
    }
}

/// The frozen event with one change.
fn frozen_with(change: impl FnOnce(&mut ClockEvent)) -> ClockEvent {
    let mut event = frozen_event();
    change(&mut event);
    event
}

fn text(event: &ClockEvent) -> String {
    String::from_utf8(event.canonical_bytes()).unwrap()
}

fn signed_with(event: ClockEvent, signature: &str) -> SignedClockEvent {
    SignedClockEvent {
        event,
        signature: signature.into(),
    }
}

fn raw_b64(signature: &Signature) -> String {
    STANDARD.encode(signature.to_bytes())
}

fn high_s_of(signature: &Signature) -> Signature {
    let (r, s) = signature.split_scalars();
    Signature::from_scalars(r.to_bytes(), (-s).to_bytes()).unwrap()
}

// --- canonical bytes -------------------------------------------------------------------

#[test]
fn frozen_event_has_frozen_canonical_bytes_and_hash() {
    const CANONICAL: &str = "offduty.clock-event.v1\n\
        event_id=36:0190a5b4-6c1e-7a3f-9b2d-1c4e5f6a7b8c\n\
        device_id=36:5f0c6b1e-2d3a-4c5b-8e9f-0a1b2c3d4e5f\n\
        officer_id=36:7d3e2f10-8a9b-4c6d-9e1f-2a3b4c5d6e7f\n\
        job_id=36:c0ffee00-1234-4abc-8def-0123456789ab\n\
        kind=2:in\n\
        seq=2:42\n\
        prev_hash=64:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n\
        fix.lat_e7=9:407127753\n\
        fix.lon_e7=10:-740059728\n\
        fix.accuracy_cm=4:1250\n\
        fix.fix_time=30:2025-03-14T21:59:58.250000000Z\n\
        fix.provider=5:fused\n\
        fix.is_mock=5:false\n\
        device_time=30:2025-03-14T22:00:00.000000001Z\n\
        monotonic_ms=8:86400123\n\
        boot_id=36:b3f1c2d4-9e8a-4b7c-a6d5-e4f3a2b1c0d9\n";
    const SHA256: &str = "e40822e51aa3adc6e510bab992ed963f32a12eb67962d738fa883560f60bd352";

    let event = frozen_event();
    assert_eq!(
        String::from_utf8(event.canonical_bytes()).unwrap(),
        CANONICAL
    );
    assert_eq!(event.hash_hex(), SHA256);
    // The Python implementation in the generator agrees.
    assert_eq!(vector().canonical, CANONICAL);
    assert_eq!(vector().sha256_hex, SHA256);
}

#[test]
fn hash_is_sha256_of_canonical_bytes_in_lowercase_hex() {
    let event = frozen_event();
    let digest: [u8; 32] = Sha256::digest(event.canonical_bytes()).into();
    assert_eq!(event.hash(), digest);
    assert_eq!(event.hash_hex(), hex::encode(digest));
    assert!(event.hash_hex().chars().all(|c| !c.is_ascii_uppercase()));
}

#[test]
fn embedded_newline_in_a_value_cannot_forge_another_field() {
    let sneaky = frozen_with(|e| e.boot_id = "x\nboot_id=1:y".into());
    assert!(text(&sneaky).ends_with("\nboot_id=13:x\nboot_id=1:y\n"));
    let plain = frozen_with(|e| e.boot_id = "y".into());
    assert_ne!(sneaky.canonical_bytes(), plain.canonical_bytes());
}

#[test]
fn value_length_counts_utf8_bytes() {
    let event = frozen_with(|e| e.fix.provider = "réseau".into());
    assert!(text(&event).contains("\nfix.provider=7:réseau\n"));
}

#[test]
fn out_kind_and_mock_fix_are_spelled_out() {
    let event = frozen_with(|e| (e.kind, e.fix.is_mock) = (PunchKind::Out, true));
    assert!(text(&event).contains("\nkind=3:out\nseq=2:42\n"));
    assert!(text(&event).contains("\nfix.is_mock=4:true\n"));
    assert!(text(&first_event()).contains("\nseq=1:1\nprev_hash=64:0000"));
}

// --- validation and fixed point --------------------------------------------------------

#[test]
fn valid_event_passes_validation() {
    assert_eq!(frozen_event().validate(), Ok(()));
    assert_eq!(first_event().validate(), Ok(()));
}

#[test]
fn invalid_fields_are_named_in_the_error() {
    type Change = fn(&mut ClockEvent);
    let cases: [(Change, &str); 8] = [
        (|e| e.seq = 0, "seq"),
        (|e| e.prev_hash = e.prev_hash.to_uppercase(), "prev_hash"),
        (|e| e.prev_hash = "ab".into(), "prev_hash"),
        (|e| e.prev_hash = "g".repeat(64), "prev_hash"),
        (|e| e.boot_id = String::new(), "boot_id"),
        (|e| e.boot_id = "b".repeat(65), "boot_id"),
        (|e| e.fix.provider = String::new(), "fix.provider"),
        (|e| e.fix.provider = "p".repeat(33), "fix.provider"),
    ];
    for (change, field) in cases {
        let e = frozen_with(change).validate().unwrap_err();
        assert_eq!(e.field, field, "{e}");
    }
}

#[test]
fn length_limits_count_characters_not_bytes() {
    let event = frozen_with(|e| (e.boot_id, e.fix.provider) = ("é".repeat(64), "é".repeat(32)));
    assert_eq!(event.validate(), Ok(()));
}

fn fixed(lat: f64, lon: f64, accuracy_m: f64) -> (i64, i64, i64) {
    let fix = EventFix::from_fix(&LocationFix {
        lat,
        lon,
        accuracy_m,
        fix_time: frozen_event().fix.fix_time,
        provider: "gps".into(),
        is_mock: true,
    });
    assert_eq!((fix.provider.as_str(), fix.is_mock), ("gps", true));
    (fix.lat_e7, fix.lon_e7, fix.accuracy_cm)
}

#[test]
fn fix_is_scaled_and_rounded_half_away_from_zero() {
    let sydney = fixed(-33.8567844, 151.2152967, 0.125);
    assert_eq!(sydney, (-338_567_844, 1_512_152_967, 13));
    assert_eq!(fixed(0.0, 0.0, -0.125).2, -13);
    assert_eq!(fixed(0.0, 0.0, 12.344).2, 1234);
}

#[test]
fn non_finite_fix_saturates_instead_of_panicking() {
    let fix = fixed(f64::NAN, f64::INFINITY, f64::NEG_INFINITY);
    assert_eq!(fix, (0, i64::MAX, i64::MIN));
}

// --- signatures ------------------------------------------------------------------------

#[test]
fn signed_event_verifies() {
    let key = SigningKey::random(&mut OsRng);
    let signed = sign(frozen_event(), &key);
    assert_eq!(signed.verify(key.verifying_key()), Ok(()));
}

#[test]
fn software_signature_equals_the_independent_rfc6979_vector() {
    // The generator checked this exact signature with openssl: Rust → openssl agreement.
    let signed = sign(frozen_event(), &vector_key());
    assert_eq!(signed.signature, vector().rfc6979_der_b64);
}

#[test]
fn der_and_raw_encodings_of_one_signature_both_verify() {
    let key = SigningKey::random(&mut OsRng);
    let signed = sign(frozen_event(), &key);
    let signature = decode_signature(&signed.signature).unwrap();
    let raw = signed_with(frozen_event(), &raw_b64(&signature));
    assert_eq!(raw.verify(key.verifying_key()), Ok(()));
    assert_eq!(decode_signature(&raw.signature), Ok(signature));
}

#[test]
fn high_s_signature_verifies_and_decodes_to_low_s() {
    let key = SigningKey::random(&mut OsRng);
    let signed = sign(frozen_event(), &key);
    let low = decode_signature(&signed.signature).unwrap();
    assert!(!bool::from(low.s().is_high()));
    let high = high_s_of(&low);
    assert!(bool::from(high.s().is_high()));
    for encoded in [STANDARD.encode(high.to_der().as_bytes()), raw_b64(&high)] {
        assert_eq!(decode_signature(&encoded), Ok(low));
        let signed = signed_with(frozen_event(), &encoded);
        assert_eq!(signed.verify(key.verifying_key()), Ok(()));
    }
}

#[test]
fn python_and_openssl_signatures_verify() {
    let v = vector();
    let key = parse_public_key(&v.public_key_pem).unwrap();
    for signature in [
        &v.python_low_s_der_b64,
        &v.python_low_s_raw_b64,
        &v.python_high_s_der_b64,
        &v.python_high_s_raw_b64,
        &v.openssl_der_b64,
        &v.rfc6979_der_b64,
    ] {
        assert_eq!(
            signed_with(frozen_event(), signature).verify(&key),
            Ok(()),
            "{signature}"
        );
    }
    assert_eq!(
        decode_signature(&v.python_high_s_der_b64),
        decode_signature(&v.python_low_s_raw_b64)
    );
}

#[test]
fn independent_signatures_fail_after_any_one_byte_changes() {
    let v = vector();
    let key = parse_public_key(&v.public_key_spki_b64).unwrap();
    let message = frozen_event().canonical_bytes();
    for signature in [
        &v.python_low_s_der_b64,
        &v.python_high_s_raw_b64,
        &v.openssl_der_b64,
    ] {
        for i in 0..message.len() {
            let mut changed = message.clone();
            changed[i] ^= 0x01;
            assert_eq!(
                verify_bytes(&changed, signature, &key),
                Err(SignatureError::Invalid)
            );
        }
    }
    let next_seq = ClockEvent {
        seq: 43,
        ..frozen_event()
    };
    assert_eq!(
        signed_with(next_seq, &v.openssl_der_b64).verify(&key),
        Err(SignatureError::Invalid)
    );
}

#[test]
fn signature_by_another_key_is_invalid() {
    let signed = sign(frozen_event(), &vector_key());
    let other = parse_public_key(&vector().other_p256_spki_b64).unwrap();
    assert_eq!(signed.verify(&other), Err(SignatureError::Invalid));
    let random = SigningKey::random(&mut OsRng);
    assert_eq!(
        signed.verify(random.verifying_key()),
        Err(SignatureError::Invalid)
    );
}

#[test]
fn malformed_signatures_are_encoding_errors() {
    let n_minus_one_twice = {
        let n = hex::decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
        [n.clone().unwrap(), n.unwrap()].concat()
    };
    let cases = [
        String::new(),
        "not base64!".into(),
        "MEUCIQ".into(), // unpadded
        "MEUCIQ==".into(),
        STANDARD.encode([0u8; 64]),
        STANDARD.encode([0xffu8; 64]),
        STANDARD.encode(n_minus_one_twice),
        STANDARD.encode([7u8; 63]),
        STANDARD.encode([7u8; 65]),
        STANDARD.encode([0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01]),
    ];
    let key = vector_key();
    for b64 in cases {
        assert!(
            matches!(decode_signature(&b64), Err(SignatureError::Encoding(_))),
            "{b64}"
        );
        let signed = signed_with(frozen_event(), &b64);
        let result = signed.verify(key.verifying_key());
        assert!(matches!(result, Err(SignatureError::Encoding(_))), "{b64}");
    }
}

// --- public keys -----------------------------------------------------------------------

#[test]
fn every_export_form_of_a_key_parses_to_the_same_key() {
    let v = vector();
    let expected = *vector_key().verifying_key();
    let crlf_indented = format!("\n  {}  \n", v.public_key_pem.replace('\n', "\r\n  "));
    let wrapped_spki = v
        .public_key_spki_b64
        .as_bytes()
        .chunks(40)
        .fold(String::new(), |acc, c| {
            acc + std::str::from_utf8(c).unwrap() + "\n"
        });
    for form in [
        &v.public_key_pem,
        &crlf_indented,
        &v.public_key_spki_b64,
        &wrapped_spki,
        &v.public_key_sec1_uncompressed_b64,
        &v.public_key_sec1_compressed_b64,
    ] {
        assert_eq!(parse_public_key(form), Ok(expected), "{form}");
    }
}

#[test]
fn stored_key_form_is_spki_der_base64_and_round_trips() {
    let key = *vector_key().verifying_key();
    let encoded = encode_public_key(&key);
    assert_eq!(encoded, vector().public_key_spki_b64);
    let der = key.to_public_key_der().unwrap();
    assert_eq!(encoded, STANDARD.encode(der.as_bytes()));
    let random = *SigningKey::random(&mut OsRng).verifying_key();
    assert_eq!(parse_public_key(&encode_public_key(&random)), Ok(random));
}

#[test]
fn keys_of_other_algorithms_are_not_p256() {
    let v = vector();
    assert_eq!(
        parse_public_key(&v.secp256k1_spki_b64),
        Err(KeyError::NotP256)
    );
    assert_eq!(parse_public_key(&v.rsa_spki_b64), Err(KeyError::NotP256));
}

#[test]
fn malformed_keys_are_encoding_errors() {
    let v = vector();
    let mut off_curve = STANDARD
        .decode(&v.public_key_sec1_uncompressed_b64)
        .unwrap();
    off_curve[64] ^= 1;
    let mut truncated = STANDARD.decode(&v.public_key_spki_b64).unwrap();
    truncated.pop();
    let cases = [
        String::new(),
        "%%%".into(),
        STANDARD.encode(off_curve),
        STANDARD.encode(truncated),
        STANDARD.encode([0x04; 10]),
        v.public_key_pem.replace("-----END PUBLIC KEY-----", ""),
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----".into(),
    ];
    for form in cases {
        assert!(
            matches!(parse_public_key(&form), Err(KeyError::Encoding(_))),
            "{form}"
        );
    }
}

// --- chain -----------------------------------------------------------------------------

fn replay(expected: u64, got: u64) -> ChainStatus {
    ChainStatus::Replay { expected, got }
}

fn gap(expected: u64, got: u64) -> ChainStatus {
    ChainStatus::Gap { expected, got }
}

fn broken(expected_prev_hash: &str) -> ChainStatus {
    let expected_prev_hash = expected_prev_hash.to_owned();
    ChainStatus::Broken { expected_prev_hash }
}

/// Three events a device signed in a row.
fn three_events() -> [ClockEvent; 3] {
    let first = first_event();
    let second = event_after(&first);
    let third = event_after(&second);
    [first, second, third]
}

#[test]
fn first_event_must_start_at_one_from_genesis() {
    let first = first_event();
    assert_eq!(check_chain(None, &first), ChainStatus::Next);
    let forked = ClockEvent {
        prev_hash: "a".repeat(64),
        ..first.clone()
    };
    assert_eq!(check_chain(None, &forked), broken(GENESIS_HASH));
    assert_eq!(
        check_chain(
            None,
            &ClockEvent {
                seq: 3,
                ..first.clone()
            }
        ),
        gap(1, 3)
    );
    assert_eq!(
        check_chain(None, &ClockEvent { seq: 0, ..first }),
        replay(1, 0)
    );
}

#[test]
fn next_event_links_to_the_last_hash() {
    let [first, second, _] = three_events();
    assert_eq!(
        check_chain(Some((1, &first.hash_hex())), &second),
        ChainStatus::Next
    );
}

#[test]
fn replayed_event_is_a_replay() {
    let [first, _, third] = three_events();
    let last_hash = third.hash_hex();
    assert_eq!(check_chain(Some((3, &last_hash)), &third), replay(4, 3));
    assert_eq!(check_chain(Some((3, &last_hash)), &first), replay(4, 1));
}

#[test]
fn resequenced_event_with_the_wrong_prev_hash_is_broken() {
    let [_, second, _] = three_events();
    let forged = ClockEvent {
        seq: 3,
        ..second.clone()
    };
    let last_hash = second.hash_hex();
    assert_eq!(
        check_chain(Some((2, &last_hash)), &forged),
        broken(&last_hash)
    );
}

#[test]
fn reordered_events_show_a_gap_then_a_replay() {
    let [first, second, third] = three_events();
    assert_eq!(check_chain(Some((1, &first.hash_hex())), &third), gap(2, 3));
    // The server flags and keeps the third; the late second is then a replay.
    assert_eq!(
        check_chain(Some((3, &third.hash_hex())), &second),
        replay(4, 2)
    );
}

#[test]
fn last_possible_sequence_number_does_not_overflow() {
    let event = frozen_with(|e| e.seq = u64::MAX);
    let status = check_chain(Some((u64::MAX, GENESIS_HASH)), &event);
    assert_eq!(status, replay(u64::MAX, u64::MAX));
}

// --- properties ------------------------------------------------------------------------

fn arb_time() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..4_102_444_800, 0u32..1_000_000_000)
        .prop_map(|(secs, nanos)| DateTime::from_timestamp(secs, nanos).unwrap())
}

fn arb_event() -> impl Strategy<Value = ClockEvent> {
    let ids = (any::<u128>(), any::<u128>(), any::<u128>(), any::<u128>());
    let chain = (any::<bool>(), 1u64.., any::<[u8; 32]>());
    let fix = (
        any::<i64>(),
        any::<i64>(),
        any::<i64>(),
        arb_time(),
        ".{1,32}",
        any::<bool>(),
    )
        .prop_map(
            |(lat_e7, lon_e7, accuracy_cm, fix_time, provider, is_mock)| EventFix {
                lat_e7,
                lon_e7,
                accuracy_cm,
                fix_time,
                provider,
                is_mock,
            },
        );
    (ids, chain, fix, arb_time(), any::<u64>(), ".{1,64}").prop_map(
        |((e, d, o, j), (out, seq, prev), fix, device_time, monotonic_ms, boot_id)| ClockEvent {
            event_id: Uuid::from_u128(e),
            device_id: Uuid::from_u128(d),
            officer_id: Uuid::from_u128(o),
            job_id: Uuid::from_u128(j),
            kind: if out { PunchKind::Out } else { PunchKind::In },
            seq,
            prev_hash: hex::encode(prev),
            fix,
            device_time,
            monotonic_ms,
            boot_id,
        },
    )
}

/// Changes field number `field` (0..16, declaration order) of `event`, guided by `salt`.
fn tamper(event: &mut ClockEvent, field: u8, salt: u64) {
    let bit64 = 1u64 << (salt % 64);
    let flip_uuid = |id: &mut Uuid| *id = Uuid::from_u128(id.as_u128() ^ (1u128 << (salt % 128)));
    let later =
        |t: &mut DateTime<Utc>| *t += Duration::nanoseconds(1 + (salt % 1_000_000_000_000) as i64);
    let extra = char::from(b'!' + (salt % 90) as u8);
    match field {
        0 => flip_uuid(&mut event.event_id),
        1 => flip_uuid(&mut event.device_id),
        2 => flip_uuid(&mut event.officer_id),
        3 => flip_uuid(&mut event.job_id),
        4 => {
            event.kind = match event.kind {
                PunchKind::In => PunchKind::Out,
                PunchKind::Out => PunchKind::In,
            }
        }
        5 => event.seq ^= bit64,
        6 => {
            let i = (salt % 64) as usize;
            let c = if &event.prev_hash[i..=i] == "0" {
                "1"
            } else {
                "0"
            };
            event.prev_hash.replace_range(i..=i, c);
        }
        7 => event.fix.lat_e7 ^= bit64 as i64,
        8 => event.fix.lon_e7 ^= bit64 as i64,
        9 => event.fix.accuracy_cm ^= bit64 as i64,
        10 => later(&mut event.fix.fix_time),
        11 => event.fix.provider.push(extra),
        12 => event.fix.is_mock = !event.fix.is_mock,
        13 => later(&mut event.device_time),
        14 => event.monotonic_ms ^= bit64,
        _ => event.boot_id.insert(0, extra),
    }
}

proptest! {
    #[test]
    fn changing_any_field_breaks_the_signature(
        event in arb_event(), field in 0u8..16, salt in any::<u64>(), seed in any::<[u8; 32]>()
    ) {
        let key = SigningKey::from_slice(&Sha256::digest(seed)).unwrap();
        let signed = sign(event, &key);
        let mut changed = signed.clone();
        tamper(&mut changed.event, field, salt);
        prop_assert_ne!(&changed.event, &signed.event);
        prop_assert_ne!(changed.event.canonical_bytes(), signed.event.canonical_bytes());
        prop_assert_eq!(signed.verify(key.verifying_key()), Ok(()));
        prop_assert_eq!(changed.verify(key.verifying_key()), Err(SignatureError::Invalid));
    }

    #[test]
    fn flipping_any_canonical_byte_changes_the_hash(
        event in arb_event(), index in any::<prop::sample::Index>(), mask in 1u8..
    ) {
        let mut bytes = event.canonical_bytes();
        let i = index.index(bytes.len());
        bytes[i] ^= mask;
        let flipped: [u8; 32] = Sha256::digest(&bytes).into();
        prop_assert_ne!(flipped, event.hash());
    }

    #[test]
    fn changing_any_signature_character_fails_verification(
        index in any::<prop::sample::Index>(), replacement in "[A-Za-z0-9+/=]"
    ) {
        let key = vector_key();
        let mut signed = sign(frozen_event(), &key);
        let i = index.index(signed.signature.len());
        prop_assume!(signed.signature[i..=i] != replacement);
        signed.signature.replace_range(i..=i, &replacement);
        prop_assert!(signed.verify(key.verifying_key()).is_err());
    }

    #[test]
    fn arbitrary_signature_text_never_panics_nor_verifies(text in ".{0,120}") {
        prop_assert!(matches!(decode_signature(&text), Ok(_) | Err(SignatureError::Encoding(_))));
        let signed = signed_with(frozen_event(), &text);
        prop_assert!(signed.verify(vector_key().verifying_key()).is_err());
    }

    #[test]
    fn arbitrary_signature_bytes_decode_or_give_encoding_errors(
        bytes in prop::collection::vec(any::<u8>(), 0..100)
    ) {
        let b64 = STANDARD.encode(&bytes);
        match decode_signature(&b64) {
            Ok(_) => prop_assert!(bytes.len() == 64 || bytes.first() == Some(&0x30)),
            Err(e) => prop_assert!(matches!(e, SignatureError::Encoding(_))),
        }
        let signed = signed_with(frozen_event(), &b64);
        prop_assert!(signed.verify(vector_key().verifying_key()).is_err());
    }

    #[test]
    fn arbitrary_key_text_never_panics(text in ".{0,200}", bytes in prop::collection::vec(any::<u8>(), 0..120)) {
        prop_assert!(parse_public_key(&text).is_err());
        let _ = parse_public_key(&STANDARD.encode(bytes));
    }

    #[test]
    fn fixed_point_fix_round_trips(
        lat_e7 in -900_000_000i64..=900_000_000,
        lon_e7 in -1_800_000_000i64..=1_800_000_000,
        accuracy_cm in 0i64..=1_000_000_000,
    ) {
        let fix = EventFix { lat_e7, lon_e7, accuracy_cm, ..frozen_event().fix };
        prop_assert_eq!(EventFix::from_fix(&fix.to_fix()), fix);
    }

    #[test]
    fn correctly_built_chain_is_next_all_the_way(start in arb_event(), len in 1usize..30) {
        let mut event = ClockEvent { seq: 1, prev_hash: GENESIS_HASH.into(), ..start };
        let mut last: Option<(u64, String)> = None;
        for _ in 0..len {
            let status = check_chain(last.as_ref().map(|(s, h)| (*s, h.as_str())), &event);
            prop_assert_eq!(status, ChainStatus::Next);
            prop_assert_eq!(event.validate(), Ok(()));
            last = Some((event.seq, event.hash_hex()));
            event = ClockEvent {
                seq: event.seq + 1,
                prev_hash: event.hash_hex(),
                event_id: Uuid::from_u128(event.event_id.as_u128().wrapping_add(1)),
                ..event
            };
        }
    }
}
