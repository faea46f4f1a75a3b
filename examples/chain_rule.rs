//! The lecture's chain-rule example, done by the `autodiff` module.
//!
//! Evaluates `f(a, b, c, d) = ((a + b) · (c + d))²` at `(1, 2, 3, 4)`, prints the
//! forward pass node by node, then every partial derivative `∂f/∂x` as the
//! chain-rule product of the local derivatives recorded in the graph, and finally
//! compares the input partials with central finite differences.
//!
//! Run with `cargo run --example chain_rule`.

use constnet::autodiff::{Graph, Op, Var};

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
    graph.set_name(g, "g");
    let h = graph.add(c, d);
    graph.set_name(h, "h");
    let i = graph.mul(g, h);
    graph.set_name(i, "i");
    let f = graph.square(i);
    graph.set_name(f, "f");
    Lecture {
        graph,
        inputs,
        g,
        h,
        i,
        f,
    }
}

/// The node's name (every node of the lecture graph has one).
fn label(graph: &Graph, v: Var) -> &str {
    graph.name(v).unwrap_or("?")
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
        for (&input, &local) in node.inputs().iter().zip(node.local_grads()) {
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
        let name = label(&graph, v);
        match node.op() {
            Op::Input => println!("  {name} = {}", node.value()),
            _ => println!("  {name} = {} = {}", graph.expression(v), node.value()),
        }
    }

    let grads = graph.backward(f);
    let fname = label(&graph, f);
    println!("\nBackward pass (chain rule: multiply local derivatives along each path):");
    for x in [f, i, g, h].into_iter().chain(inputs) {
        let xname = label(&graph, x);
        let paths = paths(&graph, x, f);
        let grad = grads[x];
        let total: f64 = paths
            .iter()
            .map(|p| p.iter().map(|e| e.local).product::<f64>())
            .sum();
        assert_eq!(total, grad, "sum over paths must equal backprop");
        let lhs = format!("∂{fname}/∂{xname}");
        match paths.as_slice() {
            [p] if p.is_empty() => println!("  {lhs} = {grad}  (seed)"),
            [p] if p.len() == 1 => println!(
                "  {lhs} = {grad}  (local derivative of {fname} = {})",
                graph.expression(f)
            ),
            _ => {
                let symbols = chain(&paths, |e| {
                    let (y, x) = (label(&graph, e.consumer), label(&graph, e.input));
                    format!("∂{y}/∂{x}")
                });
                let numbers = chain(&paths, |e| e.local.to_string());
                println!("  {lhs} = {symbols} = {numbers} = {grad}");
            }
        }
    }

    let eps = 1e-6;
    println!("\nFinite-difference check (f(x + ε) - f(x - ε)) / 2ε, ε = {eps:e}:");
    for (k, &x) in inputs.iter().enumerate() {
        let shifted = |delta: f64| {
            let mut p = point;
            p[k] += delta;
            let lecture = build(p);
            lecture.graph.value(lecture.f)
        };
        let numeric = (shifted(eps) - shifted(-eps)) / (2.0 * eps);
        let analytic = grads[x];
        println!(
            "  ∂{fname}/∂{}  backprop {analytic:<5} numeric {numeric:.6}  |diff| {:.1e}",
            label(&graph, x),
            (analytic - numeric).abs()
        );
    }
}
