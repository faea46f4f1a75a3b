//! The lecture's chain-rule example, on a small scalar autodiff graph
//! ([`graph`], beside this file).
//!
//! Evaluates `f(a, b, c, d) = ((a + b) · (c + d))²` at `(1, 2, 3, 4)`, prints the
//! forward pass node by node, then every partial derivative `∂f/∂x` as the
//! chain-rule product of the local derivatives recorded in the graph, and finally
//! compares the input partials with central finite differences.
//!
//! Run with `cargo run --example chain_rule`; `cargo test --example chain_rule`
//! runs its tests.

mod graph;

use graph::{Graph, Op, Var};

/// The lecture's graph with handles to every node.
struct Lecture {
    graph: Graph,
    inputs: [Var; 4],
    g: Var,
    h: Var,
    i: Var,
    f: Var,
}

/// Records `g = a + b`, `h = c + d`, `i = g · h`, `f = i²` at the given inputs.
fn build([a, b, c, d]: [f64; 4]) -> Lecture {
    let mut graph = Graph::new();
    let inputs = [("a", a), ("b", b), ("c", c), ("d", d)].map(|(n, x)| graph.input(n, x));
    let [a, b, c, d] = inputs;
    let g = graph.add(a, b);
    let h = graph.add(c, d);
    let i = graph.mul(g, h);
    let f = graph.square(i);
    for (v, name) in [(g, "g"), (h, "h"), (i, "i"), (f, "f")] {
        graph.set_name(v, name);
    }
    Lecture {
        graph,
        inputs,
        g,
        h,
        i,
        f,
    }
}

/// One edge of the graph: `consumer` uses `input`, with local derivative `local`.
#[derive(Clone, Copy)]
struct Edge {
    consumer: Var,
    input: Var,
    local: f64,
}

/// Every path from `output` down to `x`, each as its edges from the output
/// downwards; the chain rule sums the products of their local derivatives.
fn paths(graph: &Graph, x: Var, output: Var) -> Vec<Vec<Edge>> {
    if x == output {
        return vec![Vec::new()];
    }
    let mut all = Vec::new();
    for (consumer, node) in graph.nodes().skip(x.index() + 1) {
        for &(input, local) in &node.inputs {
            if input == x {
                for mut path in paths(graph, consumer, output) {
                    path.push(Edge {
                        consumer,
                        input,
                        local,
                    });
                    all.push(path);
                }
            }
        }
    }
    all
}

/// The chain rule over `paths`: the sum of the products of local derivatives.
fn sum_of_products(paths: &[Vec<Edge>]) -> f64 {
    paths
        .iter()
        .map(|p| p.iter().map(|e| e.local).product::<f64>())
        .sum()
}

/// Writes a sum over paths of products over edges, each edge shown by `show`.
fn chain(paths: &[Vec<Edge>], show: impl Fn(&Edge) -> String) -> String {
    let products: Vec<String> = paths
        .iter()
        .map(|p| p.iter().map(&show).collect::<Vec<_>>().join(" · "))
        .collect();
    products.join(" + ")
}

fn main() {
    let point = [1.0, 2.0, 3.0, 4.0];
    let Lecture {
        graph,
        inputs,
        g,
        h,
        i,
        f,
    } = build(point);

    println!("f(a, b, c, d) = ((a + b) · (c + d))²  at  (a, b, c, d) = (1, 2, 3, 4)");
    println!("\nForward pass (each node computes its value and its local derivatives):");
    for (v, node) in graph.nodes() {
        let name = graph.label(v);
        match node.op {
            Op::Input => println!("  {name} = {}", node.value),
            _ => println!("  {name} = {} = {}", graph.expression(v), node.value),
        }
    }

    let grads = graph.backward(f);
    let fname = graph.label(f);
    println!("\nBackward pass (chain rule: multiply local derivatives along each path):");
    for x in [f, i, g, h].into_iter().chain(inputs) {
        let xname = graph.label(x);
        let paths = paths(&graph, x, f);
        let grad = grads[x];
        assert_eq!(
            sum_of_products(&paths),
            grad,
            "sum over paths must equal backprop"
        );
        let lhs = format!("∂{fname}/∂{xname}");
        match paths.as_slice() {
            [p] if p.is_empty() => println!("  {lhs} = {grad}  (seed)"),
            [p] if p.len() == 1 => println!(
                "  {lhs} = {grad}  (local derivative of {fname} = {})",
                graph.expression(f)
            ),
            _ => {
                let symbols = chain(&paths, |e| {
                    format!("∂{}/∂{}", graph.label(e.consumer), graph.label(e.input))
                });
                let numbers = chain(&paths, |e| e.local.to_string());
                println!("  {lhs} = {symbols} = {numbers} = {grad}");
            }
        }
    }

    let eps = 1e-6;
    println!("\nFinite-difference check (f(x + ε) - f(x - ε)) / 2ε, ε = {eps:e}:");
    for (k, &x) in inputs.iter().enumerate() {
        let numeric = central_difference(point, k, eps);
        let analytic = grads[x];
        println!(
            "  ∂{fname}/∂{}  backprop {analytic:<5} numeric {numeric:.6}  |diff| {:.1e}",
            graph.label(x),
            (analytic - numeric).abs()
        );
    }
}

/// `(f(p + ε·eₖ) - f(p - ε·eₖ)) / 2ε`: the partial `∂f/∂pₖ` from two forward
/// passes of the lecture's graph.
fn central_difference(point: [f64; 4], k: usize, eps: f64) -> f64 {
    let f_at = |delta: f64| {
        let mut p = point;
        p[k] += delta;
        let lecture = build(p);
        lecture.graph.value(lecture.f)
    };
    (f_at(eps) - f_at(-eps)) / (2.0 * eps)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POINT: [f64; 4] = [1.0, 2.0, 3.0, 4.0];

    #[test]
    fn forward_pass_values_names_and_expressions() {
        let Lecture { graph, .. } = build(POINT);
        let rows: Vec<(String, String, f64)> = graph
            .nodes()
            .map(|(v, node)| (graph.label(v), graph.expression(v), node.value))
            .collect();
        let expected = [
            ("a", "input", 1.0),
            ("b", "input", 2.0),
            ("c", "input", 3.0),
            ("d", "input", 4.0),
            ("g", "a + b", 3.0),
            ("h", "c + d", 7.0),
            ("i", "g · h", 21.0),
            ("f", "i²", 441.0),
        ];
        let rows: Vec<_> = rows
            .iter()
            .map(|(n, e, v)| (n.as_str(), e.as_str(), *v))
            .collect();
        assert_eq!(rows, expected);
    }

    #[test]
    fn backward_pass_gives_the_lecture_partials() {
        let Lecture {
            graph,
            inputs,
            g,
            h,
            i,
            f,
        } = build(POINT);
        let grads = graph.backward(f);
        assert_eq!(inputs.map(|x| grads[x]), [294.0, 294.0, 126.0, 126.0]);
        assert_eq!([g, h, i, f].map(|x| grads[x]), [294.0, 126.0, 42.0, 1.0]);
    }

    #[test]
    fn df_da_is_the_product_of_local_derivatives() {
        let Lecture {
            graph, inputs, f, ..
        } = build(POINT);
        // ∂f/∂a = ∂f/∂i · ∂i/∂g · ∂g/∂a = 2i · h · 1, one path.
        let paths = paths(&graph, inputs[0], f);
        assert_eq!(paths.len(), 1);
        let locals: Vec<f64> = paths[0].iter().map(|e| e.local).collect();
        assert_eq!(locals, [42.0, 7.0, 1.0]);
        let symbols = chain(&paths, |e| {
            format!("∂{}/∂{}", graph.label(e.consumer), graph.label(e.input))
        });
        assert_eq!(symbols, "∂f/∂i · ∂i/∂g · ∂g/∂a");
    }

    #[test]
    fn the_sum_over_paths_is_the_backward_pass() {
        // x · x + x has three paths from the output down to x.
        let mut graph = Graph::new();
        let x = graph.input("x", 3.0);
        let sq = graph.mul(x, x);
        let out = graph.add(sq, x);
        let grads = graph.backward(out);
        assert_eq!(paths(&graph, x, out).len(), 3);
        for (v, _) in graph.nodes() {
            assert_eq!(sum_of_products(&paths(&graph, v, out)), grads[v]);
        }
        let lecture = build(POINT);
        let grads = lecture.graph.backward(lecture.f);
        for (v, _) in lecture.graph.nodes() {
            let paths = paths(&lecture.graph, v, lecture.f);
            assert_eq!(sum_of_products(&paths), grads[v]);
        }
    }

    #[test]
    fn input_partials_match_finite_differences() {
        let lecture = build(POINT);
        let grads = lecture.graph.backward(lecture.f);
        for (k, &x) in lecture.inputs.iter().enumerate() {
            let numeric = central_difference(POINT, k, 1e-6);
            let rel = (grads[x] - numeric).abs() / grads[x].abs();
            assert!(
                rel < 1e-6,
                "input {k}: backprop {}, numeric {numeric}",
                grads[x]
            );
        }
    }
}
