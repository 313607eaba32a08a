//! Fairness of a distribution of work: the Gini coefficient of how jobs or hours are spread
//! across officers. 0 = everyone got the same, approaching 1 = one officer got everything. The
//! reports compute it by award rule (decision 044); the phone may show it one day from the same
//! function.

/// The Gini coefficient of `values` (hours, shifts, cents — any non-negative amounts, one per
/// officer, officers with nothing included as 0), as a number in `[0, 1)`.
///
/// `G = Σ_i Σ_j |x_i − x_j| / (2 · n² · mean)`, computed in O(n log n) from the sorted values:
/// `G = (2 · Σ_i i·x_(i)) / (n · Σ x) − (n + 1) / n` with `i` from 1. An empty list, a single
/// officer or a total of zero is perfectly even: 0. Negative values (never produced by the
/// reports) count as 0.
pub fn gini(values: &[i64]) -> f64 {
    let n = values.len();
    if n < 2 {
        return 0.0;
    }
    let mut v: Vec<i128> = values.iter().map(|&x| i128::from(x.max(0))).collect();
    v.sort_unstable();
    let total: i128 = v.iter().sum();
    if total == 0 {
        return 0.0;
    }
    let weighted: i128 = v
        .iter()
        .enumerate()
        .map(|(i, &x)| (i as i128 + 1) * x)
        .sum();
    let n = n as f64;
    let g = (2.0 * weighted as f64) / (n * total as f64) - (n + 1.0) / n;
    g.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition, quadratic: the mean absolute difference over twice the mean.
    fn by_definition(values: &[i64]) -> f64 {
        let n = values.len() as f64;
        let total: i64 = values.iter().sum();
        if values.len() < 2 || total == 0 {
            return 0.0;
        }
        let mut diff: i128 = 0;
        for a in values {
            for b in values {
                diff += i128::from((a - b).abs());
            }
        }
        diff as f64 / (2.0 * n * total as f64)
    }

    #[test]
    fn even_work_is_zero_and_one_officer_taking_all_is_near_one() {
        assert_eq!(gini(&[]), 0.0);
        assert_eq!(gini(&[5]), 0.0);
        assert_eq!(gini(&[0, 0, 0]), 0.0);
        assert!((gini(&[4, 4, 4, 4]) - 0.0).abs() < 1e-12);
        // One of four officers has everything: (n − 1) / n.
        assert!((gini(&[0, 0, 0, 100]) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn a_worked_example() {
        // 1, 2, 3, 4: Σ|xi − xj| = 20 over ordered pairs, 2 · 16 · 2.5 = 80 → 0.25.
        assert!((gini(&[3, 1, 4, 2]) - 0.25).abs() < 1e-12);
        // 0, 0, 60, 120 minutes → Σ|d| over ordered pairs = 840, 2 · 16 · 45 = 1440 → 7/12.
        assert!((gini(&[0, 120, 0, 60]) - 7.0 / 12.0).abs() < 1e-12);
    }

    proptest! {
        #[test]
        fn matches_the_definition(v in proptest::collection::vec(0i64..10_000, 0..40)) {
            prop_assert!((gini(&v) - by_definition(&v)).abs() < 1e-9);
        }

        #[test]
        fn is_in_range_and_ignores_order_and_scale(
            v in proptest::collection::vec(0i64..10_000, 1..40),
            k in 1i64..50,
        ) {
            let g = gini(&v);
            prop_assert!((0.0..1.0).contains(&g));
            let mut r = v.clone();
            r.reverse();
            prop_assert!((gini(&r) - g).abs() < 1e-12);
            let scaled: Vec<i64> = v.iter().map(|x| x * k).collect();
            prop_assert!((gini(&scaled) - g).abs() < 1e-9);
        }

        #[test]
        fn moving_work_from_richer_to_poorer_never_raises_it(
            v in proptest::collection::vec(0i64..1_000, 2..30),
        ) {
            // The Pigou–Dalton transfer principle.
            let mut s = v.clone();
            s.sort_unstable();
            let (lo, hi) = (0, s.len() - 1);
            let gap = s[hi] - s[lo];
            prop_assume!(gap >= 2);
            let mut t = s.clone();
            t[lo] += gap / 2 / 2;
            t[hi] -= gap / 2 / 2;
            prop_assert!(gini(&t) <= gini(&s) + 1e-12);
        }
    }
}
