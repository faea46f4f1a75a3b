//! The lecture example `f(a, b, c, d) = ((a + b) · (c + d))²` at `(1, 2, 3, 4)`,
//! through the public `autodiff` API (mirrors `examples/chain_rule.rs`).

use constnet::autodiff::{Graph, Op, Var};

/// Builds the lecture graph; returns it with `[a, b, c, d]` and `[g, h, i, f]`.
fn lecture(values: [f64; 4]) -> (Graph, [Var; 4], [Var; 4]) {
    let mut graph = Graph::new();
    let inputs = [
        ("a", values[0]),
        ("b", values[1]),
        ("c", values[2]),
        ("d", values[3]),
    ]
    .map(|(name, x)| graph.input(name, x));
    let [a, b, c, d] = inputs;
    let g = graph.add(a, b);
    let h = graph.add(c, d);
    let i = graph.mul(g, h);
    let f = graph.square(i);
    for (v, name) in [(g, "g"), (h, "h"), (i, "i"), (f, "f")] {
        graph.set_name(v, name);
    }
    (graph, inputs, [g, h, i, f])
}

#[test]
fn forward_pass_values_names_and_expressions() {
    let (graph, _, _) = lecture([1.0, 2.0, 3.0, 4.0]);
    let rows: Vec<(String, String, f64)> = graph
        .nodes()
        .map(|(v, node)| {
            let expr = match node.op() {
                Op::Input => String::new(),
                _ => graph.expression(v),
            };
            (
                node.name().unwrap_or_default().to_owned(),
                expr,
                node.value(),
            )
        })
        .collect();
    let expected = [
        ("a", "", 1.0),
        ("b", "", 2.0),
        ("c", "", 3.0),
        ("d", "", 4.0),
        ("g", "a + b", 3.0),
        ("h", "c + d", 7.0),
        ("i", "g · h", 21.0),
        ("f", "i²", 441.0),
    ];
    assert_eq!(rows.len(), expected.len());
    for ((name, expr, value), (want_name, want_expr, want_value)) in rows.iter().zip(expected) {
        assert_eq!(
            (name.as_str(), expr.as_str(), *value),
            (want_name, want_expr, want_value)
        );
    }
}

#[test]
fn backward_pass_gives_the_lecture_partials() {
    let (graph, [a, b, c, d], [g, h, i, f]) = lecture([1.0, 2.0, 3.0, 4.0]);
    assert_eq!(graph.value(f), 441.0);
    let grads = graph.backward(f);
    assert_eq!([a, b, c, d].map(|x| grads[x]), [294.0, 294.0, 126.0, 126.0]);
    assert_eq!([g, h, i, f].map(|x| grads[x]), [294.0, 126.0, 42.0, 1.0]);
}

#[test]
fn chain_rule_product_of_local_derivatives() {
    let (graph, [a, ..], [g, _, i, f]) = lecture([1.0, 2.0, 3.0, 4.0]);
    // ∂f/∂a = ∂f/∂i · ∂i/∂g · ∂g/∂a, each factor read from the graph.
    let df_di = graph.node(f).local_grads()[0];
    let di_dg = graph.node(i).local_grads()[0];
    let dg_da = graph.node(g).local_grads()[0];
    assert_eq!(graph.node(g).inputs()[0], a);
    assert_eq!((df_di, di_dg, dg_da), (42.0, 7.0, 1.0));
    assert_eq!(df_di * di_dg * dg_da, graph.backward(f)[a]);
}

#[test]
fn input_partials_match_finite_differences() {
    let point = [1.0, 2.0, 3.0, 4.0];
    let (graph, inputs, [.., f]) = lecture(point);
    let grads = graph.backward(f);
    let eval = |p: [f64; 4]| {
        let (graph, _, [.., f]) = lecture(p);
        graph.value(f)
    };
    let eps = 1e-6;
    for (k, &x) in inputs.iter().enumerate() {
        let (mut plus, mut minus) = (point, point);
        plus[k] += eps;
        minus[k] -= eps;
        let numeric = (eval(plus) - eval(minus)) / (2.0 * eps);
        let rel = (grads[x] - numeric).abs() / grads[x].abs();
        assert!(
            rel < 1e-6,
            "input {k}: backprop {}, numeric {numeric}",
            grads[x]
        );
    }
}
