//! Tests of `award`: examples named after behaviour, and properties.

use super::*;
use proptest::prelude::*;

fn at(h: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000 + h * 3600, 0).expect("valid timestamp")
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn job() -> Uuid {
    Uuid::from_u128(0x0198_0000_0000_7000_8000_0000_0000_0001)
}

/// A candidate whose every key grows with `n`; tests override the field they care about.
fn cand(n: u64) -> Candidate {
    Candidate {
        officer_id: id(u128::from(n)),
        receipt_seq: n,
        seniority: n as u32,
        recent_minutes: n as i64,
        last_detail_end: Some(at(n as i64)),
    }
}

fn tier(groups: &[&str], hours: u32) -> ReleaseTier {
    ReleaseTier {
        groups: groups.iter().map(|g| g.to_string()).collect(),
        hours,
    }
}

fn groups(gs: &[&str]) -> Vec<String> {
    gs.iter().map(|g| g.to_string()).collect()
}

fn ids(ns: &[u128]) -> Vec<Uuid> {
    ns.iter().map(|n| id(*n)).collect()
}

#[test]
fn first_come_awards_in_receipt_order() {
    let cs = vec![
        Candidate {
            receipt_seq: 30,
            ..cand(1)
        },
        Candidate {
            receipt_seq: 10,
            ..cand(2)
        },
        Candidate {
            receipt_seq: 20,
            ..cand(3)
        },
    ];
    assert_eq!(rank(&AwardRule::FirstCome, job(), &cs), ids(&[2, 3, 1]));
}

#[test]
fn seniority_awards_most_senior_first() {
    let cs = vec![
        Candidate {
            seniority: 40,
            ..cand(1)
        },
        Candidate {
            seniority: 1,
            ..cand(2)
        },
        Candidate {
            seniority: 7,
            ..cand(3)
        },
    ];
    assert_eq!(rank(&AwardRule::Seniority, job(), &cs), ids(&[2, 3, 1]));
}

#[test]
fn fewest_hours_awards_fewest_recent_minutes_first() {
    let cs = vec![
        Candidate {
            recent_minutes: 600,
            ..cand(1)
        },
        Candidate {
            recent_minutes: 0,
            ..cand(2)
        },
        Candidate {
            recent_minutes: 240,
            ..cand(3)
        },
    ];
    let rule = AwardRule::FewestHours { window_days: 28 };
    assert_eq!(rank(&rule, job(), &cs), ids(&[2, 3, 1]));
}

#[test]
fn rotation_puts_never_worked_first_then_longest_since_last_detail() {
    let cs = vec![
        Candidate {
            last_detail_end: Some(at(-24)),
            ..cand(1)
        },
        Candidate {
            last_detail_end: Some(at(-240)),
            ..cand(2)
        },
        Candidate {
            last_detail_end: None,
            ..cand(3)
        },
    ];
    assert_eq!(rank(&AwardRule::Rotation, job(), &cs), ids(&[3, 2, 1]));
}

#[test]
fn ties_go_to_the_earlier_claim_then_the_smaller_officer_id() {
    let cs = vec![
        Candidate {
            seniority: 5,
            receipt_seq: 9,
            ..cand(1)
        },
        Candidate {
            seniority: 5,
            receipt_seq: 3,
            ..cand(3)
        },
        Candidate {
            seniority: 5,
            receipt_seq: 3,
            ..cand(2)
        },
    ];
    assert_eq!(rank(&AwardRule::Seniority, job(), &cs), ids(&[2, 3, 1]));
}

#[test]
fn ranking_nobody_gives_nobody() {
    assert!(rank(&AwardRule::Lottery { seed: 1 }, job(), &[]).is_empty());
}

#[test]
fn lottery_key_follows_the_published_algorithm() {
    // The reference SplitMix64 generator's first output from state 0.
    assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
    let (jh, jl) = job().as_u64_pair();
    let (oh, ol) = id(7).as_u64_pair();
    let by_hand =
        splitmix64(splitmix64(splitmix64(splitmix64(splitmix64(42) ^ jh) ^ jl) ^ oh) ^ ol);
    assert_eq!(lottery_key(42, job(), id(7)), by_hand);
    // Pinned: a draw must give the same order in every future release.
    assert_eq!(lottery_key(42, job(), id(7)), PINNED_KEY);
}

const PINNED_KEY: u64 = 0x053A_ADFD_A407_BE3E;

#[test]
fn lottery_orders_by_key_and_is_reproducible() {
    let cs: Vec<Candidate> = (1..=10).map(cand).collect();
    let rule = AwardRule::Lottery { seed: 2024 };
    let order = rank(&rule, job(), &cs);
    assert_eq!(order, rank(&rule, job(), &cs));
    let keys: Vec<u64> = order.iter().map(|o| lottery_key(2024, job(), *o)).collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn lottery_orders_differ_by_seed_and_by_job() {
    let cs: Vec<Candidate> = (1..=10).map(cand).collect();
    let a = rank(&AwardRule::Lottery { seed: 1 }, job(), &cs);
    let b = rank(&AwardRule::Lottery { seed: 2 }, job(), &cs);
    let c = rank(&AwardRule::Lottery { seed: 1 }, id(99), &cs);
    assert_ne!(a, b);
    assert_ne!(a, c);
}

#[test]
fn only_first_come_is_immediate() {
    assert!(AwardRule::FirstCome.is_immediate());
    for rule in [
        AwardRule::Seniority,
        AwardRule::FewestHours { window_days: 28 },
        AwardRule::Rotation,
        AwardRule::Lottery { seed: 1 },
    ] {
        assert!(!rule.is_immediate(), "{rule:?}");
    }
}

#[test]
fn rules_describe_themselves_in_plain_words() {
    assert_eq!(
        AwardRule::FirstCome.describe(),
        "First come, first served: the first eligible officers to claim get the slots."
    );
    assert_eq!(
        AwardRule::Seniority.describe(),
        "By seniority: when signups close, the most senior eligible officers get the slots."
    );
    let fewest = AwardRule::FewestHours { window_days: 28 }.describe();
    assert!(fewest.starts_with("Fewest hours:"), "{fewest}");
    assert!(
        fewest.contains("fewest off-duty hours in the last 28 days"),
        "{fewest}"
    );
    assert!(
        AwardRule::Rotation
            .describe()
            .contains("longest since their last detail")
    );
    assert!(
        AwardRule::Lottery { seed: 9 }
            .describe()
            .contains("a reproducible random draw")
    );
}

#[test]
fn fewest_hours_window_must_be_a_day_to_a_year() {
    assert!(
        AwardRule::FewestHours { window_days: 0 }
            .validate()
            .is_err()
    );
    assert!(AwardRule::FewestHours { window_days: 1 }.validate().is_ok());
    assert!(
        AwardRule::FewestHours { window_days: 366 }
            .validate()
            .is_ok()
    );
    assert!(
        AwardRule::FewestHours { window_days: 367 }
            .validate()
            .is_err()
    );
    assert!(AwardRule::Lottery { seed: 0 }.validate().is_ok());
}

#[test]
fn first_tier_members_sign_up_at_opening_and_others_after_every_tier() {
    let tiers = [tier(&["traffic"], 24), tier(&["motor", "k9"], 12)];
    assert_eq!(opens_for(at(0), &tiers, &groups(&["traffic"])), at(0));
    assert_eq!(opens_for(at(0), &tiers, &groups(&["k9"])), at(24));
    assert_eq!(opens_for(at(0), &tiers, &groups(&["patrol"])), at(36));
    assert_eq!(opens_for(at(0), &tiers, &[]), at(36));
    // Member of both tiers: the earliest one counts.
    assert_eq!(
        opens_for(at(0), &tiers, &groups(&["motor", "traffic"])),
        at(0)
    );
    // No tiers: everyone at once.
    assert_eq!(opens_for(at(5), &[], &[]), at(5));
}

#[test]
fn signup_state_follows_the_officers_tier_and_the_close_time() {
    let tiers = [tier(&["traffic"], 24)];
    let patrol = groups(&["patrol"]);
    let close = Some(at(48));
    assert_eq!(
        signup_state(at(0), close, &tiers, &patrol, at(10)),
        SignupState::NotYetOpen { opens_at: at(24) }
    );
    assert_eq!(
        signup_state(at(0), close, &tiers, &patrol, at(24)),
        SignupState::Open
    );
    assert_eq!(
        signup_state(at(0), close, &tiers, &groups(&["traffic"]), at(0)),
        SignupState::Open
    );
    assert_eq!(
        signup_state(at(0), close, &tiers, &patrol, at(48)),
        SignupState::Closed { closed_at: at(48) }
    );
    assert_eq!(
        signup_state(at(0), None, &tiers, &patrol, at(10_000)),
        SignupState::Open
    );
    // Closed wins even if this officer's tier would only open later.
    assert_eq!(
        signup_state(at(0), Some(at(10)), &tiers, &patrol, at(11)),
        SignupState::Closed { closed_at: at(10) }
    );
}

#[test]
fn signup_state_is_tagged_on_the_wire() {
    let json = serde_json::to_value(SignupState::NotYetOpen { opens_at: at(0) }).unwrap();
    assert_eq!(json["type"], "not_yet_open");
    assert_eq!(
        serde_json::to_value(SignupState::Open).unwrap()["type"],
        "open"
    );
}

#[test]
fn release_is_described_in_one_sentence() {
    assert_eq!(
        describe_release(at(0), &[tier(&["Traffic Unit"], 24)]),
        "Open to Traffic Unit for 24 h, then to everyone."
    );
    assert_eq!(
        describe_release(
            at(0),
            &[
                tier(&["Traffic Unit"], 24),
                tier(&["Motor", "K9", "SWAT"], 12)
            ]
        ),
        "Open to Traffic Unit for 24 h, then also to Motor, K9 or SWAT for 12 h, then to everyone."
    );
    assert_eq!(describe_release(at(0), &[]), "Open to everyone.");
}

#[test]
fn signup_state_explains_itself_in_local_time() {
    let t = DateTime::parse_from_rfc3339("2026-12-12T19:00:00Z")
        .unwrap()
        .to_utc();
    let s = SignupState::NotYetOpen { opens_at: t };
    assert_eq!(
        s.explain_in(chrono_tz::America::New_York),
        "Signups open for you on Sat 12 Dec 14:00 EST."
    );
    assert_eq!(s.explain(), "Signups open for you on Sat 12 Dec 19:00 UTC.");
    assert!(SignupState::Open.explain().contains("open"));
    assert!(
        SignupState::Closed { closed_at: t }
            .explain()
            .starts_with("Signups closed on")
    );
}

#[test]
fn release_tiers_are_validated() {
    assert!(validate_tiers(&[]).is_ok());
    assert!(validate_tiers(&[tier(&["traffic"], 1), tier(&["motor"], 720)]).is_ok());
    assert!(validate_tiers(&[tier(&[], 24)]).is_err());
    assert!(validate_tiers(&[tier(&["  "], 24)]).is_err());
    assert!(validate_tiers(&[tier(&["traffic"], 0)]).is_err());
    assert!(validate_tiers(&[tier(&["traffic"], 721)]).is_err());
    let eleven: Vec<ReleaseTier> = (0..11).map(|_| tier(&["traffic"], 1)).collect();
    assert!(validate_tiers(&eleven).is_err());
    assert!(validate_tiers(&eleven[..10]).is_ok());
}

#[test]
fn huge_tiers_saturate_instead_of_panicking() {
    let tiers = vec![tier(&["a"], u32::MAX); 100];
    assert_eq!(
        opens_for(DateTime::<Utc>::MAX_UTC, &tiers, &[]),
        DateTime::<Utc>::MAX_UTC
    );
}

fn any_rule() -> impl Strategy<Value = AwardRule> {
    prop_oneof![
        Just(AwardRule::FirstCome),
        Just(AwardRule::Seniority),
        (1u32..=366).prop_map(|window_days| AwardRule::FewestHours { window_days }),
        Just(AwardRule::Rotation),
        any::<u64>().prop_map(|seed| AwardRule::Lottery { seed }),
    ]
}

/// Candidates with distinct officer ids and small key ranges, so ties are common.
fn any_candidates() -> impl Strategy<Value = Vec<Candidate>> {
    prop::collection::vec(
        (0u64..6, 1u32..6, 0i64..6, prop::option::of(-5i64..5)),
        0..12,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (seq, sen, mins, last))| Candidate {
                officer_id: id(0x1000 + i as u128 * 7919 % 101),
                receipt_seq: seq,
                seniority: sen,
                recent_minutes: mins,
                last_detail_end: last.map(at),
            })
            .collect()
    })
}

fn sorted(mut v: Vec<Uuid>) -> Vec<Uuid> {
    v.sort();
    v
}

fn by_id<'a>(cs: &'a [Candidate], o: &Uuid) -> &'a Candidate {
    cs.iter().find(|c| c.officer_id == *o).unwrap()
}

proptest! {
    #[test]
    fn rank_is_a_permutation_of_the_input_ids(rule in any_rule(), cs in any_candidates()) {
        let out = rank(&rule, job(), &cs);
        prop_assert_eq!(sorted(out), sorted(cs.iter().map(|c| c.officer_id).collect()));
    }

    #[test]
    fn rank_does_not_depend_on_input_order(
        rule in any_rule(),
        (cs, shuffled) in any_candidates().prop_flat_map(|cs| (Just(cs.clone()), Just(cs).prop_shuffle())),
    ) {
        prop_assert_eq!(rank(&rule, job(), &cs), rank(&rule, job(), &shuffled));
    }

    #[test]
    fn first_come_is_in_receipt_order(cs in any_candidates()) {
        let out = rank(&AwardRule::FirstCome, job(), &cs);
        let seqs: Vec<u64> = out.iter().map(|o| by_id(&cs, o).receipt_seq).collect();
        prop_assert!(seqs.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn seniority_is_in_seniority_order_with_receipt_breaking_ties(cs in any_candidates()) {
        let out = rank(&AwardRule::Seniority, job(), &cs);
        let keys: Vec<(u32, u64)> = out.iter().map(|o| { let c = by_id(&cs, o); (c.seniority, c.receipt_seq) }).collect();
        prop_assert!(keys.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn lottery_removing_a_candidate_keeps_the_others_in_order(
        seed in any::<u64>(), cs in any_candidates(), pick in any::<prop::sample::Index>(),
    ) {
        prop_assume!(!cs.is_empty());
        let gone = pick.index(cs.len());
        let rule = AwardRule::Lottery { seed };
        let full = rank(&rule, job(), &cs);
        let mut fewer = cs.clone();
        let removed = fewer.remove(gone).officer_id;
        let expected: Vec<Uuid> = full.into_iter().filter(|o| *o != removed).collect();
        prop_assert_eq!(rank(&rule, job(), &fewer), expected);
    }

    /// An officer whose first tier comes later never opens earlier.
    #[test]
    fn opens_for_is_later_the_more_tiers_come_before_you(
        hours in prop::collection::vec(0u32..800, 0..10), h in -1000i64..1000,
    ) {
        let tiers: Vec<ReleaseTier> = hours.iter().enumerate().map(|(i, h)| tier(&[&format!("g{i}")], *h)).collect();
        let mut last = at(h);
        for i in 0..=tiers.len() {
            // Group g{len} is in no tier: everyone else.
            let t = opens_for(at(h), &tiers, &groups(&[&format!("g{i}")]));
            prop_assert!(t >= last);
            last = t;
        }
        prop_assert_eq!(last, opens_for(at(h), &tiers, &[]));
    }
}

/// `rank` as it was first written: a stable sort with the whole comparator, the lottery draw
/// computed once per candidate. The fast `rank` must return exactly this order.
fn reference_rank(rule: &AwardRule, job_id: Uuid, candidates: &[Candidate]) -> Vec<Uuid> {
    use std::cmp::Ordering;
    let mut keyed: Vec<(u64, &Candidate)> = candidates
        .iter()
        .map(|c| {
            let draw = match rule {
                AwardRule::Lottery { seed } => lottery_key(*seed, job_id, c.officer_id),
                _ => 0,
            };
            (draw, c)
        })
        .collect();
    keyed.sort_by(|(da, a), (db, b)| {
        let primary = match rule {
            AwardRule::FirstCome => Ordering::Equal,
            AwardRule::Seniority => a.seniority.cmp(&b.seniority),
            AwardRule::FewestHours { .. } => a.recent_minutes.cmp(&b.recent_minutes),
            AwardRule::Rotation => a.last_detail_end.cmp(&b.last_detail_end),
            AwardRule::Lottery { .. } => da.cmp(db),
        };
        primary
            .then(a.receipt_seq.cmp(&b.receipt_seq))
            .then(a.officer_id.cmp(&b.officer_id))
            .then(a.seniority.cmp(&b.seniority))
            .then(a.recent_minutes.cmp(&b.recent_minutes))
            .then(a.last_detail_end.cmp(&b.last_detail_end))
    });
    keyed.into_iter().map(|(_, c)| c.officer_id).collect()
}

/// Candidates over the whole range of every field: negative and extreme minutes, times from
/// chrono's first to its last representable second with any nanosecond (leap seconds too),
/// ids with the top bit set, and repeated officer ids (malformed input the order must still
/// settle).
fn any_wide_candidates() -> impl Strategy<Value = Vec<Candidate>> {
    let time = prop_oneof![
        Just(None),
        (
            -8_334_601_228_800i64..=8_210_266_876_799,
            0u32..2_000_000_000
        )
            .prop_map(|(s, ns)| DateTime::from_timestamp(s, ns)),
        (-3i64..3, 0u32..2_000_000_000)
            .prop_map(|(s, ns)| DateTime::from_timestamp(1_800_000_000 + s, ns)),
    ];
    let officer = prop_oneof![any::<u128>(), 0u128..4, (u128::MAX - 3)..=u128::MAX];
    prop::collection::vec(
        (
            officer,
            prop_oneof![any::<u64>(), 0u64..3],
            prop_oneof![any::<u32>(), 0u32..3],
            prop_oneof![any::<i64>(), -2i64..2],
            time,
        ),
        0..40,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .map(|(o, seq, sen, mins, last)| Candidate {
                officer_id: id(o),
                receipt_seq: seq,
                seniority: sen,
                recent_minutes: mins,
                last_detail_end: last,
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn rank_orders_exactly_like_the_reference_comparator(
        rule in any_rule(),
        cs in prop_oneof![any_candidates(), any_wide_candidates()],
    ) {
        prop_assert_eq!(rank(&rule, job(), &cs), reference_rank(&rule, job(), &cs));
    }
}

#[test]
fn rank_of_fifty_thousand_officers_matches_the_reference() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(50_000);
    let cs: Vec<Candidate> = (0..50_000u64)
        .map(|i| Candidate {
            officer_id: id(rng.r#gen()),
            receipt_seq: rng.gen_range(0..60_000),
            seniority: rng.gen_range(1..=2_000),
            recent_minutes: rng.gen_range(0..5) * 60 * rng.gen_range(0..40),
            last_detail_end: (i % 5 != 0).then(|| at(-rng.gen_range(0..24 * 365))),
        })
        .collect();
    for rule in [
        AwardRule::FirstCome,
        AwardRule::Seniority,
        AwardRule::FewestHours { window_days: 28 },
        AwardRule::Rotation,
        AwardRule::Lottery { seed: 7 },
    ] {
        assert_eq!(
            rank(&rule, job(), &cs),
            reference_rank(&rule, job(), &cs),
            "{rule:?}"
        );
    }
}

/// The rule's own key of an officer, as `rank` computes it.
fn primary(rule: &AwardRule, cs: &[Candidate], o: &Uuid) -> i128 {
    RankKey::new(rule, job(), by_id(cs, o)).primary
}

proptest! {
    #[test]
    fn a_department_without_the_tie_break_keeps_the_rule_order(
        rule in any_rule(),
        cs in any_candidates(),
        k in any::<u64>(),
    ) {
        // Off (the default) is a constant key: exactly the fairness rule's order.
        prop_assert_eq!(rank_with_tie_break(&rule, job(), &cs, |_| k), rank(&rule, job(), &cs));
    }

    #[test]
    fn the_tie_break_only_reorders_officers_the_rule_ranks_equal(
        rule in any_rule(),
        cs in any_candidates(),
        salt in any::<u64>(),
    ) {
        let key = |o: Uuid| (o.as_u128() as u64) ^ salt;
        let plain = rank(&rule, job(), &cs);
        let tied = rank_with_tie_break(&rule, job(), &cs, key);
        // The same officers, and the rule's key in the same sequence: only ties moved.
        prop_assert_eq!(sorted(tied.clone()), sorted(plain.clone()));
        let keys = |v: &[Uuid]| v.iter().map(|o| primary(&rule, &cs, o)).collect::<Vec<_>>();
        prop_assert_eq!(keys(&tied), keys(&plain));
        if rule.is_immediate() {
            prop_assert_eq!(&tied, &plain);
        } else {
            // Within a tie, the lower tie-break key comes first.
            for w in tied.windows(2) {
                if primary(&rule, &cs, &w[0]) == primary(&rule, &cs, &w[1]) {
                    prop_assert!(key(w[0]) <= key(w[1]));
                }
            }
        }
    }
}

#[test]
fn the_tie_break_puts_the_more_reliable_of_two_equally_senior_officers_first() {
    // Same seniority; officer 2 claimed later but has the better record.
    let cs = vec![
        Candidate {
            seniority: 4,
            ..cand(1)
        },
        Candidate {
            seniority: 4,
            ..cand(2)
        },
        Candidate {
            seniority: 1,
            ..cand(3)
        },
    ];
    assert_eq!(rank(&AwardRule::Seniority, job(), &cs), ids(&[3, 1, 2]));
    let better = |o: Uuid| if o == id(2) { 0 } else { 5 };
    assert_eq!(
        rank_with_tie_break(&AwardRule::Seniority, job(), &cs, better),
        ids(&[3, 2, 1])
    );
    // First come is never re-ordered.
    assert_eq!(
        rank_with_tie_break(&AwardRule::FirstCome, job(), &cs, better),
        rank(&AwardRule::FirstCome, job(), &cs)
    );
}
