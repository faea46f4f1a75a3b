//! A scalar reverse-mode autodiff graph, small enough to read in one sitting.
//!
//! Every operation appends a [`Node`] holding its value **and** the local
//! derivative of that value with respect to each of its inputs, computed
//! right beside the forward formula. The chain rule says that `∂f/∂x` is the
//! sum, over every node `y` that uses `x`, of `∂f/∂y · ∂y/∂x`.
//! [`Graph::backward`] evaluates it from the output backwards: it seeds
//! `∂f/∂f = 1`, then visits the nodes in reverse order of creation (a node can
//! only use older nodes, so that order is topological) and adds each node's
//! gradient, times its local derivatives, into its inputs. One sweep gives
//! `∂f/∂x` for every node, at a cost proportional to the size of the graph.
//!
//! Values are plain `f64` arithmetic. A [`Var`] is an index into the graph
//! that created it; nothing checks that it is used with that graph.

// The lecture's example needs only `add`, `mul` and `square`; the tests use
// every operation.
#![cfg_attr(not(test), allow(dead_code))]

use std::ops::Index;

/// A handle to a node of a [`Graph`]: its position in creation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Var(usize);

impl Var {
    /// Position of the node in its graph, in creation order, from 0.
    pub fn index(self) -> usize {
        self.0
    }
}

/// The operation that produced a [`Node`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// A leaf: a variable set by [`Graph::input`].
    Input,
    /// `x + y`.
    Add,
    /// `x - y`.
    Sub,
    /// `x · y`.
    Mul,
    /// `xⁿ` for an integer `n` ([`Graph::square`] is `n = 2`).
    Powi(i32),
    /// `eˣ`.
    Exp,
    /// The logistic sigmoid `1 / (1 + e⁻ˣ)`.
    Sigmoid,
    /// The hyperbolic tangent.
    Tanh,
    /// The rectified linear unit `max(x, 0)`.
    Relu,
}

/// One recorded operation: its value, and each input with the local
/// derivative `∂node/∂input`.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value computed in the forward pass.
    pub value: f64,
    /// A name for printing, if the node has one.
    pub name: Option<String>,
    /// The operation that produced the node.
    pub op: Op,
    /// The inputs, each with the local derivative of this node's value with
    /// respect to it (empty for inputs; `x · x` lists `x` twice).
    pub inputs: Vec<(Var, f64)>,
}

/// The nodes of one computation, in creation order.
#[derive(Debug, Default)]
pub struct Graph {
    nodes: Vec<Node>,
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    /// The node behind a handle.
    pub fn node(&self, v: Var) -> &Node {
        &self.nodes[v.0]
    }

    /// The forward value of a node.
    pub fn value(&self, v: Var) -> f64 {
        self.node(v).value
    }

    /// All nodes with their handles, in creation (topological) order.
    pub fn nodes(&self) -> impl Iterator<Item = (Var, &Node)> {
        self.nodes
            .iter()
            .enumerate()
            .map(|(i, node)| (Var(i), node))
    }

    /// Names a node, e.g. an intermediate result to print.
    pub fn set_name(&mut self, v: Var, name: &str) {
        self.nodes[v.0].name = Some(name.to_owned());
    }

    /// The node's name, or `#index` if it has none.
    pub fn label(&self, v: Var) -> String {
        self.node(v)
            .name
            .clone()
            .unwrap_or_else(|| format!("#{}", v.0))
    }

    /// How a node was computed, in terms of its inputs' labels: `a + b`,
    /// `g · h`, `i²`, `exp(x)`; `input` for an input.
    pub fn expression(&self, v: Var) -> String {
        let node = self.node(v);
        let arg = |k: usize| self.label(node.inputs[k].0);
        match node.op {
            Op::Input => "input".to_owned(),
            Op::Add => format!("{} + {}", arg(0), arg(1)),
            Op::Sub => format!("{} - {}", arg(0), arg(1)),
            Op::Mul => format!("{} · {}", arg(0), arg(1)),
            Op::Powi(n) => format!("{}{}", arg(0), superscript(n)),
            Op::Exp => format!("exp({})", arg(0)),
            Op::Sigmoid => format!("sigmoid({})", arg(0)),
            Op::Tanh => format!("tanh({})", arg(0)),
            Op::Relu => format!("relu({})", arg(0)),
        }
    }

    /// A named variable: a leaf the output can be differentiated against.
    pub fn input(&mut self, name: &str, value: f64) -> Var {
        let v = self.push(Op::Input, value, vec![]);
        self.set_name(v, name);
        v
    }

    /// `x + y`: both local derivatives are 1.
    pub fn add(&mut self, x: Var, y: Var) -> Var {
        let (a, b) = (self.value(x), self.value(y));
        self.push(Op::Add, a + b, vec![(x, 1.0), (y, 1.0)])
    }

    /// `x - y`: local derivatives 1 and -1.
    pub fn sub(&mut self, x: Var, y: Var) -> Var {
        let (a, b) = (self.value(x), self.value(y));
        self.push(Op::Sub, a - b, vec![(x, 1.0), (y, -1.0)])
    }

    /// `x · y`: `∂/∂x = y`, `∂/∂y = x`.
    pub fn mul(&mut self, x: Var, y: Var) -> Var {
        let (a, b) = (self.value(x), self.value(y));
        self.push(Op::Mul, a * b, vec![(x, b), (y, a)])
    }

    /// `xⁿ`: `∂/∂x = n·xⁿ⁻¹` (0 for `n = 0`, even at `x = 0`).
    pub fn powi(&mut self, x: Var, n: i32) -> Var {
        let a = self.value(x);
        let local = if n == 0 {
            0.0
        } else {
            f64::from(n) * a.powi(n - 1)
        };
        self.push(Op::Powi(n), a.powi(n), vec![(x, local)])
    }

    /// `x²`: `∂/∂x = 2x`.
    pub fn square(&mut self, x: Var) -> Var {
        self.powi(x, 2)
    }

    /// `eˣ`: its own derivative.
    pub fn exp(&mut self, x: Var) -> Var {
        let e = self.value(x).exp();
        self.push(Op::Exp, e, vec![(x, e)])
    }

    /// `σ(x) = 1 / (1 + e⁻ˣ)`: `∂/∂x = σ(x)(1 - σ(x))`.
    pub fn sigmoid(&mut self, x: Var) -> Var {
        let s = 1.0 / (1.0 + (-self.value(x)).exp());
        self.push(Op::Sigmoid, s, vec![(x, s * (1.0 - s))])
    }

    /// `tanh x`: `∂/∂x = 1 - tanh² x`.
    pub fn tanh(&mut self, x: Var) -> Var {
        let t = self.value(x).tanh();
        self.push(Op::Tanh, t, vec![(x, 1.0 - t * t)])
    }

    /// `max(x, 0)`: `∂/∂x` is 1 for `x > 0`, else 0.
    pub fn relu(&mut self, x: Var) -> Var {
        let a = self.value(x);
        let (value, local) = if a > 0.0 { (a, 1.0) } else { (0.0, 0.0) };
        self.push(Op::Relu, value, vec![(x, local)])
    }

    /// `∂output/∂v` for every node `v`: one sweep of the chain rule from the
    /// output back to the inputs. Nodes the output does not use get 0.
    pub fn backward(&self, output: Var) -> Gradients {
        let mut grads = vec![0.0; self.nodes.len()];
        grads[output.0] = 1.0;
        for i in (0..=output.0).rev() {
            let upstream = grads[i];
            if upstream == 0.0 {
                // Nothing to pass on (and 0 · ∞ would be NaN).
                continue;
            }
            for &(input, local) in &self.nodes[i].inputs {
                // ∂out/∂input += ∂out/∂node · ∂node/∂input.
                grads[input.0] += upstream * local;
            }
        }
        Gradients(grads)
    }

    fn push(&mut self, op: Op, value: f64, inputs: Vec<(Var, f64)>) -> Var {
        self.nodes.push(Node {
            value,
            name: None,
            op,
            inputs,
        });
        Var(self.nodes.len() - 1)
    }
}

/// The gradients `∂output/∂v` from [`Graph::backward`]; index with a [`Var`].
#[derive(Clone, Debug, PartialEq)]
pub struct Gradients(Vec<f64>);

impl Index<Var> for Gradients {
    type Output = f64;

    fn index(&self, v: Var) -> &f64 {
        &self.0[v.0]
    }
}

/// `n` in Unicode superscript digits: `2` → `²`, `-12` → `⁻¹²`.
fn superscript(n: i32) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    n.to_string()
        .chars()
        .map(|c| c.to_digit(10).map_or('⁻', |d| DIGITS[d as usize]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds `build` on inputs `x0, x1, …` at `point`; returns the gradient
    /// from [`Graph::backward`] and the central difference
    /// `(f(p + hₖ) - f(p - hₖ)) / 2hₖ` with `hₖ = 1e-5 · max(1, |pₖ|)`.
    fn gradients(build: impl Fn(&mut Graph, &[Var]) -> Var, point: &[f64]) -> [Vec<f64>; 2] {
        let eval = |p: &[f64]| {
            let mut g = Graph::new();
            let xs: Vec<Var> = p.iter().map(|&v| g.input("x", v)).collect();
            let out = build(&mut g, &xs);
            let grads = g.backward(out);
            (g.value(out), xs.iter().map(|&x| grads[x]).collect())
        };
        let numeric = (0..point.len())
            .map(|k| {
                let h = 1e-5 * point[k].abs().max(1.0);
                let (mut plus, mut minus) = (point.to_vec(), point.to_vec());
                plus[k] += h;
                minus[k] -= h;
                (eval(&plus).0 - eval(&minus).0) / (2.0 * h)
            })
            .collect();
        [eval(point).1, numeric]
    }

    /// Relative error, measured against 1 for values smaller than 1.
    fn rel_error(a: f64, b: f64) -> f64 {
        (a - b).abs() / a.abs().max(b.abs()).max(1.0)
    }

    /// Asserts that backward agrees with central differences to 1e-6.
    fn assert_matches_finite_differences(build: impl Fn(&mut Graph, &[Var]) -> Var, point: &[f64]) {
        let [analytic, numeric] = gradients(build, point);
        for (k, (a, n)) in analytic.iter().zip(&numeric).enumerate() {
            assert!(
                rel_error(*a, *n) < 1e-6,
                "∂/∂x{k} at {point:?}: backward {a}, finite difference {n}"
            );
        }
    }

    const POINTS: [f64; 6] = [-2.3, -0.7, -0.1, 0.4, 1.9, 3.2];

    #[test]
    fn forward_values_match_std() {
        let mut g = Graph::new();
        let x = g.input("x", 0.7);
        let y = g.input("y", -1.3);
        let cases = [
            (g.add(x, y), 0.7 + -1.3),
            (g.sub(x, y), 0.7 - -1.3),
            (g.mul(x, y), 0.7 * -1.3),
            (g.powi(y, 3), (-1.3f64).powi(3)),
            (g.square(y), 1.69),
            (g.exp(y), (-1.3f64).exp()),
            (g.sigmoid(y), 1.0 / (1.0 + 1.3f64.exp())),
            (g.tanh(y), (-1.3f64).tanh()),
            (g.relu(x), 0.7),
            (g.relu(y), 0.0),
        ];
        for (v, want) in cases {
            assert!(rel_error(g.value(v), want) < 1e-15, "{:?}", g.node(v));
        }
    }

    #[test]
    fn every_op_matches_finite_differences() {
        for p in POINTS {
            for q in POINTS {
                assert_matches_finite_differences(|g, x| g.add(x[0], x[1]), &[p, q]);
                assert_matches_finite_differences(|g, x| g.sub(x[0], x[1]), &[p, q]);
                assert_matches_finite_differences(|g, x| g.mul(x[0], x[1]), &[p, q]);
            }
            assert_matches_finite_differences(|g, x| g.exp(x[0]), &[p]);
            assert_matches_finite_differences(|g, x| g.sigmoid(x[0]), &[p]);
            assert_matches_finite_differences(|g, x| g.tanh(x[0]), &[p]);
            assert_matches_finite_differences(|g, x| g.relu(x[0]), &[p]);
            for n in -3..=4 {
                assert_matches_finite_differences(|g, x| g.powi(x[0], n), &[p]);
            }
        }
    }

    #[test]
    fn powi_zero_has_zero_derivative_even_at_zero() {
        let mut g = Graph::new();
        let x = g.input("x", 0.0);
        let y = g.powi(x, 0);
        assert_eq!((g.value(y), g.backward(y)[x]), (1.0, 0.0));
    }

    #[test]
    fn shared_subexpressions_accumulate() {
        let mut g = Graph::new();
        let x = g.input("x", 3.0);
        let sq = g.mul(x, x);
        let dbl = g.add(x, x);
        assert_eq!(g.backward(sq)[x], 6.0);
        assert_eq!(g.backward(dbl)[x], 2.0);

        // y = 2x feeds two paths: z = y² + exp(y), dz/dx = (2y + eʸ) · 2.
        let two = g.input("two", 2.0);
        let y = g.mul(two, x);
        let y2 = g.square(y);
        let ey = g.exp(y);
        let z = g.add(y2, ey);
        let grads = g.backward(z);
        let dz_dy = 2.0 * 6.0 + 6.0_f64.exp();
        assert!(rel_error(grads[y], dz_dy) < 1e-15);
        assert!(rel_error(grads[x], 2.0 * dz_dy) < 1e-15);
        assert!(rel_error(grads[two], 3.0 * dz_dy) < 1e-15);

        for p in POINTS {
            assert_matches_finite_differences(
                |g, x| {
                    let s = g.mul(x[0], x[0]);
                    let t = g.add(x[0], x[0]);
                    let u = g.sub(s, t);
                    let v = g.mul(u, x[0]);
                    let w = g.tanh(u);
                    g.add(v, w)
                },
                &[p],
            );
        }
    }

    /// `(σ(w₁x₁ + w₂x₂ + b) - target)²` for inputs `[w₁, w₂, b, x₁, x₂, target]`:
    /// one sigmoid neuron of the lecture's network, with the quadratic cost.
    fn neuron_loss(g: &mut Graph, v: &[Var]) -> Var {
        let wx1 = g.mul(v[0], v[3]);
        let wx2 = g.mul(v[1], v[4]);
        let sum = g.add(wx1, wx2);
        let z = g.add(sum, v[2]);
        let p = g.sigmoid(z);
        let err = g.sub(p, v[5]);
        g.square(err)
    }

    #[test]
    fn a_neuron_and_its_cost_match_finite_differences() {
        let points = [
            [0.5, -1.2, 0.1, 2.0, 0.3, 1.0],
            [-0.8, 0.4, -0.3, -1.5, 2.2, 0.0],
            [1.7, 0.9, 0.6, 0.25, -0.75, 0.5],
        ];
        for point in &points {
            assert_matches_finite_differences(neuron_loss, point);
        }
        // Closed form: ∂loss/∂w₁ = 2(p - t) · p(1 - p) · x₁.
        let [w1, w2, b, x1, x2, t] = points[0];
        let p = 1.0 / (1.0 + (-(w1 * x1 + w2 * x2 + b)).exp());
        let [analytic, _] = gradients(neuron_loss, &points[0]);
        assert!(rel_error(analytic[0], 2.0 * (p - t) * p * (1.0 - p) * x1) < 1e-12);
    }

    /// An expression using every operation.
    fn every_op(g: &mut Graph, v: &[Var]) -> Var {
        let p = g.mul(v[0], v[1]);
        let s = g.sigmoid(p);
        let t = g.tanh(v[2]);
        let q = g.sub(s, t);
        let sq = g.square(q);
        let e = g.exp(v[0]);
        let d = g.mul(sq, e);
        let c = g.powi(v[1], -3);
        let m = g.mul(d, c);
        let r = g.relu(v[2]);
        g.add(m, r)
    }

    #[test]
    fn an_expression_of_every_op_matches_finite_differences() {
        for a in POINTS {
            for b in POINTS {
                for c in [-1.7, 0.3, 2.6] {
                    assert_matches_finite_differences(every_op, &[a, b, c]);
                }
            }
        }
    }

    #[test]
    fn nodes_the_output_does_not_use_get_zero() {
        let mut g = Graph::new();
        let x = g.input("x", 1000.0);
        let unused = g.exp(x); // local derivative +∞, but not on the output's path
        let one = g.input("one", 1.0);
        let y = g.add(x, one);
        let later = g.exp(y);
        let grads = g.backward(y);
        assert_eq!((grads[x], grads[unused], grads[later]), (1.0, 0.0, 0.0));
    }

    #[test]
    fn sigmoid_is_stable_for_large_inputs() {
        let mut g = Graph::new();
        for (x, want) in [(-1000.0, 0.0), (1000.0, 1.0), (-40.0, (-40f64).exp())] {
            let xv = g.input("x", x);
            let s = g.sigmoid(xv);
            let d = g.backward(s)[xv];
            assert!(rel_error(g.value(s), want) < 1e-15);
            assert!(d.is_finite() && d >= 0.0);
        }
    }

    #[test]
    fn labels_and_expressions() {
        let mut g = Graph::new();
        let a = g.input("a", 1.0);
        let b = g.input("b", 2.0);
        let s = g.add(a, b);
        assert_eq!(g.label(s), "#2");
        let cases = [
            (g.mul(s, b), "#2 · b"),
            (g.sub(a, b), "a - b"),
            (g.powi(a, -12), "a⁻¹²"),
            (g.exp(a), "exp(a)"),
            (g.sigmoid(a), "sigmoid(a)"),
            (g.tanh(a), "tanh(a)"),
            (g.relu(a), "relu(a)"),
        ];
        for (v, want) in cases {
            assert_eq!(g.expression(v), want);
        }
        g.set_name(s, "g");
        assert_eq!(g.expression(s), "a + b");
        assert_eq!(g.expression(a), "input");
        assert_eq!(g.expression(Var(3)), "g · b");
        assert!(g.nodes().enumerate().all(|(i, (v, _))| v.index() == i));
    }
}
