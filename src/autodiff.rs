//! Scalar reverse-mode automatic differentiation, small enough to read in one sitting.
//!
//! A computation is recorded as a *computational graph*: every operation appends a
//! node holding its value **and** the local derivatives of that value with respect
//! to each of its inputs, computed right next to the forward formula. The chain rule
//! says that the derivative of the output `f` with respect to a node `x` is the sum,
//! over every node `y` that uses `x`, of `∂f/∂y · ∂y/∂x`. Reverse mode evaluates this
//! from the output backwards: seed `∂f/∂f = 1`, then visit nodes in reverse order of
//! creation (creation order is a topological order, since a node can only use nodes
//! that already exist) and push each node's gradient, multiplied by its local
//! derivatives, into its inputs. One backward sweep yields `∂f/∂x` for *every* node,
//! at a cost proportional to the size of the graph.
//!
//! The [`Graph`] is an arena (a `Vec` of [`Node`]s); a [`Var`] is a small `Copy`
//! handle into it. [`Graph::backward`] returns [`Gradients`].
//!
//! # Example: the lecture's `f(a, b, c, d) = ((a + b) · (c + d))²`
//!
//! ```
//! use constnet::autodiff::Graph;
//!
//! let mut g = Graph::new();
//! let (a, b) = (g.input("a", 1.0), g.input("b", 2.0));
//! let (c, d) = (g.input("c", 3.0), g.input("d", 4.0));
//! let sum_ab = g.add(a, b); // g = 3
//! let sum_cd = g.add(c, d); // h = 7
//! let i = g.mul(sum_ab, sum_cd); // i = 21
//! let f = g.square(i); // f = 441
//! assert_eq!(g.value(f), 441.0);
//!
//! let grads = g.backward(f);
//! // ∂f/∂a = ∂f/∂i · ∂i/∂g · ∂g/∂a = 2i · h · 1 = 42 · 7 · 1
//! assert_eq!(grads[a], 294.0);
//! assert_eq!(grads[c], 126.0);
//! ```
//!
//! # Floating-point edge cases
//!
//! Values and derivatives are plain `f64` arithmetic and follow IEEE 754: division
//! by zero gives ±∞ (or NaN for `0 / 0`), the logarithm of zero is −∞ and of a
//! negative number NaN, and such values propagate through later nodes and
//! through the backward pass.
//!
//! # Handles from another graph
//!
//! Every graph gets a unique id and every [`Var`] remembers the id of the graph
//! that created it. Every method taking a [`Var`] checks that id (in release builds
//! too) and panics if the handle belongs to a different graph, so mixing graphs
//! can never silently read the wrong node (ids come from a global `u32`
//! counter, so only graphs created 2³² apart could share one). Nodes are never removed, so a handle
//! from the right graph is always in range.

use std::fmt;
use std::ops::Index;
use std::sync::atomic::{AtomicU32, Ordering};

/// Source of unique graph ids.
static NEXT_GRAPH_ID: AtomicU32 = AtomicU32::new(0);

/// A `Copy` handle to a node of a [`Graph`].
///
/// Only the graph that created a `Var` accepts it; see the
/// [module documentation](self#handles-from-another-graph).
///
/// # Example
///
/// ```
/// use constnet::autodiff::Graph;
///
/// let mut g = Graph::new();
/// let x = g.input("x", 3.0);
/// let y = x; // handles are Copy
/// let z = g.mul(x, y);
/// assert_eq!(g.value(z), 9.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Var {
    graph: u32,
    index: u32,
}

impl Var {
    /// Handle to node `index` of graph `graph`.
    fn new(graph: u32, index: usize) -> Self {
        let index = u32::try_from(index).expect("autodiff: graph exceeds u32::MAX nodes");
        Self { graph, index }
    }

    /// Position of the node in its graph, in creation order, starting at 0.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let x = g.input("x", 1.0);
    /// let y = g.exp(x);
    /// assert_eq!((x.index(), y.index()), (0, 1));
    /// ```
    #[must_use]
    pub const fn index(self) -> usize {
        self.index as usize
    }
}

/// The operation that produced a [`Node`].
///
/// # Example
///
/// ```
/// use constnet::autodiff::{Graph, Op};
///
/// let mut g = Graph::new();
/// let x = g.input("x", 2.0);
/// let y = g.square(x);
/// assert_eq!(g.node(x).op(), Op::Input);
/// assert_eq!(g.node(y).op(), Op::Powi(2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Op {
    /// A named leaf created by [`Graph::input`].
    Input,
    /// A leaf created by [`Graph::constant`].
    Constant,
    /// `x + y`.
    Add,
    /// `x - y`.
    Sub,
    /// `x · y`.
    Mul,
    /// `x / y`.
    Div,
    /// `-x`.
    Neg,
    /// `xⁿ` for an integer `n` (also used by [`Graph::square`]).
    Powi(i32),
    /// `eˣ`.
    Exp,
    /// Natural logarithm `ln x`.
    Ln,
    /// Logistic sigmoid `1 / (1 + e⁻ˣ)`.
    Sigmoid,
    /// Hyperbolic tangent.
    Tanh,
    /// Rectified linear unit `max(x, 0)`.
    Relu,
}

/// One recorded operation: its value, optional name, and the local derivative of
/// its value with respect to each of its inputs.
///
/// # Example
///
/// ```
/// use constnet::autodiff::Graph;
///
/// let mut g = Graph::new();
/// let x = g.input("x", 3.0);
/// let y = g.input("y", 5.0);
/// let p = g.mul(x, y);
/// let node = g.node(p);
/// assert_eq!(node.value(), 15.0);
/// assert_eq!(node.inputs(), &[x, y]);
/// assert_eq!(node.local_grads(), &[5.0, 3.0]); // ∂p/∂x = y, ∂p/∂y = x
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    value: f64,
    name: Option<String>,
    op: Op,
    arity: usize,
    inputs: [Var; 2],
    local_grads: [f64; 2],
}

impl Node {
    /// The value computed in the forward pass.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let x = g.constant(-2.0);
    /// let y = g.neg(x);
    /// assert_eq!(g.node(y).value(), 2.0);
    /// ```
    #[must_use]
    pub const fn value(&self) -> f64 {
        self.value
    }

    /// The node's name, if it has one.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let x = g.input("x", 1.0);
    /// let y = g.exp(x);
    /// assert_eq!(g.node(x).name(), Some("x"));
    /// assert_eq!(g.node(y).name(), None);
    /// ```
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The operation that produced the node.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::{Graph, Op};
    ///
    /// let mut g = Graph::new();
    /// let x = g.input("x", 1.0);
    /// let y = g.tanh(x);
    /// assert_eq!(g.node(y).op(), Op::Tanh);
    /// ```
    #[must_use]
    pub const fn op(&self) -> Op {
        self.op
    }

    /// The nodes this node was computed from (empty for leaves). The same node
    /// appears twice for e.g. `x · x`.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let x = g.input("x", 4.0);
    /// let s = g.mul(x, x);
    /// assert_eq!(g.node(s).inputs(), &[x, x]);
    /// assert!(g.node(x).inputs().is_empty());
    /// ```
    #[must_use]
    pub fn inputs(&self) -> &[Var] {
        &self.inputs[..self.arity]
    }

    /// Local derivatives `∂self/∂input`, one per entry of [`inputs`](Self::inputs),
    /// recorded during the forward pass.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let x = g.input("x", 3.0);
    /// let y = g.input("y", 2.0);
    /// let q = g.div(x, y);
    /// // ∂(x/y)/∂x = 1/y, ∂(x/y)/∂y = -x/y²
    /// assert_eq!(g.node(q).local_grads(), &[0.5, -0.75]);
    /// ```
    #[must_use]
    pub fn local_grads(&self) -> &[f64] {
        &self.local_grads[..self.arity]
    }
}

/// An arena holding the nodes of one computation, in creation order.
///
/// Create leaves with [`input`](Self::input) and [`constant`](Self::constant),
/// combine them with the operation methods, then call
/// [`backward`](Self::backward). A graph is deliberately not `Clone`: two graphs
/// sharing an id would let a handle from one silently index the other.
///
/// # Panics
///
/// Every method taking a [`Var`] panics if the handle was created by another
/// graph. Adding a node panics if the graph already holds 2³² nodes.
///
/// # Example
///
/// ```
/// use constnet::autodiff::Graph;
///
/// let mut g = Graph::new();
/// let x = g.input("x", 2.0);
/// let y = g.powi(x, 3); // y = x³
/// let grads = g.backward(y);
/// assert_eq!(grads[x], 12.0); // 3x²
/// ```
#[derive(Debug)]
pub struct Graph {
    id: u32,
    nodes: Vec<Node>,
}

impl Default for Graph {
    fn default() -> Self {
        Self::new()
    }
}

impl Graph {
    /// Creates an empty graph with a fresh id.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let g = Graph::new();
    /// assert!(g.is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self {
            id: NEXT_GRAPH_ID.fetch_add(1, Ordering::Relaxed),
            nodes: Vec::new(),
        }
    }

    /// Number of nodes recorded so far.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let x = g.input("x", 1.0);
    /// let _y = g.add(x, x);
    /// assert_eq!(g.len(), 2);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the graph has no nodes.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// assert!(g.is_empty());
    /// let _x = g.constant(1.0);
    /// assert!(!g.is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The node behind a handle.
    ///
    /// # Panics
    ///
    /// Panics if `v` belongs to another graph.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let x = g.input("x", 0.0);
    /// assert_eq!(g.node(x).value(), 0.0);
    /// ```
    #[must_use]
    pub fn node(&self, v: Var) -> &Node {
        &self.nodes[self.check(v)]
    }

    /// All nodes with their handles, in creation (topological) order.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let x = g.input("x", 1.0);
    /// let y = g.neg(x);
    /// let values: Vec<f64> = g.nodes().map(|(_, node)| node.value()).collect();
    /// assert_eq!(values, [1.0, -1.0]);
    /// assert_eq!(g.nodes().last().unwrap().0, y);
    /// ```
    #[must_use]
    pub fn nodes(&self) -> impl DoubleEndedIterator<Item = (Var, &Node)> + ExactSizeIterator {
        let graph = self.id;
        self.nodes
            .iter()
            .enumerate()
            .map(move |(i, node)| (Var::new(graph, i), node))
    }

    /// The forward value of a node.
    ///
    /// # Panics
    ///
    /// Panics if `v` belongs to another graph.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let x = g.input("x", 0.0);
    /// let y = g.sigmoid(x);
    /// assert_eq!(g.value(y), 0.5);
    /// ```
    #[must_use]
    pub fn value(&self, v: Var) -> f64 {
        self.node(v).value
    }

    /// The name of a node, if it has one.
    ///
    /// # Panics
    ///
    /// Panics if `v` belongs to another graph.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let a = g.input("a", 1.0);
    /// assert_eq!(g.name(a), Some("a"));
    /// ```
    #[must_use]
    pub fn name(&self, v: Var) -> Option<&str> {
        self.node(v).name()
    }

    /// Gives a node a name (replacing any previous one), e.g. to label an
    /// intermediate result for printing.
    ///
    /// # Panics
    ///
    /// Panics if `v` belongs to another graph.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let a = g.input("a", 1.0);
    /// let b = g.input("b", 2.0);
    /// let sum = g.add(a, b);
    /// g.set_name(sum, "g");
    /// assert_eq!(g.name(sum), Some("g"));
    /// ```
    pub fn set_name(&mut self, v: Var, name: impl Into<String>) {
        let i = self.check(v);
        self.nodes[i].name = Some(name.into());
    }

    /// How a node was computed, written with its inputs' names (unnamed nodes
    /// appear as `#index`): `"a + b"`, `"g · h"`, `"i²"`, `"exp(x)"`. Inputs
    /// give `"input"` and constants their value.
    ///
    /// # Panics
    ///
    /// Panics if `v` belongs to another graph.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let a = g.input("a", 1.0);
    /// let b = g.input("b", 2.0);
    /// let sum = g.add(a, b);
    /// let sq = g.square(sum);
    /// assert_eq!(g.expression(sum), "a + b");
    /// assert_eq!(g.expression(sq), "#2²");
    /// ```
    #[must_use]
    pub fn expression(&self, v: Var) -> String {
        let node = self.node(v);
        let label = |k: usize| {
            let i = node.inputs[k].index();
            match &self.nodes[i].name {
                Some(name) => name.clone(),
                None => format!("#{i}"),
            }
        };
        match node.op {
            Op::Input => "input".to_owned(),
            Op::Constant => node.value.to_string(),
            Op::Add => format!("{} + {}", label(0), label(1)),
            Op::Sub => format!("{} - {}", label(0), label(1)),
            Op::Mul => format!("{} · {}", label(0), label(1)),
            Op::Div => format!("{} / {}", label(0), label(1)),
            Op::Neg => format!("-{}", label(0)),
            Op::Powi(n) => format!("{}{}", label(0), Superscript(n)),
            Op::Exp => format!("exp({})", label(0)),
            Op::Ln => format!("ln({})", label(0)),
            Op::Sigmoid => format!("sigmoid({})", label(0)),
            Op::Tanh => format!("tanh({})", label(0)),
            Op::Relu => format!("relu({})", label(0)),
        }
    }

    /// Adds a named leaf: a variable the output may be differentiated against.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::{Graph, Op};
    ///
    /// let mut g = Graph::new();
    /// let a = g.input("a", 1.5);
    /// assert_eq!((g.value(a), g.node(a).op()), (1.5, Op::Input));
    /// ```
    #[must_use = "the handle is the only convenient way to use the new node"]
    pub fn input(&mut self, name: impl Into<String>, value: f64) -> Var {
        let v = self.push(Op::Input, value, &[]);
        self.set_name(v, name);
        v
    }

    /// Adds an unnamed constant leaf. It still receives a gradient.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let x = g.input("x", 3.0);
    /// let two = g.constant(2.0);
    /// let y = g.mul(two, x);
    /// assert_eq!(g.backward(y)[x], 2.0);
    /// ```
    #[must_use = "the handle is the only convenient way to use the new node"]
    pub fn constant(&mut self, value: f64) -> Var {
        self.push(Op::Constant, value, &[])
    }

    /// `x + y`; local derivatives `1` and `1`.
    ///
    /// # Panics
    ///
    /// Panics if `x` or `y` belongs to another graph.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let (x, y) = (g.input("x", 1.0), g.input("y", 2.0));
    /// let s = g.add(x, y);
    /// assert_eq!(g.value(s), 3.0);
    /// assert_eq!(g.node(s).local_grads(), &[1.0, 1.0]);
    /// ```
    #[must_use = "the handle is the only convenient way to use the new node"]
    pub fn add(&mut self, x: Var, y: Var) -> Var {
        let (a, b) = (self.value(x), self.value(y));
        self.push(Op::Add, a + b, &[(x, 1.0), (y, 1.0)])
    }

    /// `x - y`; local derivatives `1` and `-1`.
    ///
    /// # Panics
    ///
    /// Panics if `x` or `y` belongs to another graph.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let (x, y) = (g.input("x", 1.0), g.input("y", 2.0));
    /// let d = g.sub(x, y);
    /// assert_eq!(g.value(d), -1.0);
    /// assert_eq!(g.node(d).local_grads(), &[1.0, -1.0]);
    /// ```
    #[must_use = "the handle is the only convenient way to use the new node"]
    pub fn sub(&mut self, x: Var, y: Var) -> Var {
        let (a, b) = (self.value(x), self.value(y));
        self.push(Op::Sub, a - b, &[(x, 1.0), (y, -1.0)])
    }

    /// `x · y`; local derivatives `y` and `x`.
    ///
    /// # Panics
    ///
    /// Panics if `x` or `y` belongs to another graph.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let (x, y) = (g.input("x", 3.0), g.input("y", 7.0));
    /// let p = g.mul(x, y);
    /// assert_eq!(g.value(p), 21.0);
    /// assert_eq!(g.node(p).local_grads(), &[7.0, 3.0]);
    /// ```
    #[must_use = "the handle is the only convenient way to use the new node"]
    pub fn mul(&mut self, x: Var, y: Var) -> Var {
        let (a, b) = (self.value(x), self.value(y));
        self.push(Op::Mul, a * b, &[(x, b), (y, a)])
    }

    /// `x / y`; local derivatives `1/y` and `-x/y²`. Division by zero follows
    /// IEEE 754 (±∞ or NaN).
    ///
    /// # Panics
    ///
    /// Panics if `x` or `y` belongs to another graph.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let (x, y) = (g.input("x", 1.0), g.input("y", 4.0));
    /// let q = g.div(x, y);
    /// assert_eq!(g.value(q), 0.25);
    /// assert_eq!(g.node(q).local_grads(), &[0.25, -0.0625]);
    /// let zero = g.constant(0.0);
    /// let inf = g.div(x, zero);
    /// assert_eq!(g.value(inf), f64::INFINITY);
    /// ```
    #[must_use = "the handle is the only convenient way to use the new node"]
    pub fn div(&mut self, x: Var, y: Var) -> Var {
        let (a, b) = (self.value(x), self.value(y));
        self.push(Op::Div, a / b, &[(x, 1.0 / b), (y, -a / (b * b))])
    }

    /// `-x`; local derivative `-1`.
    ///
    /// # Panics
    ///
    /// Panics if `x` belongs to another graph.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let x = g.input("x", 2.0);
    /// let n = g.neg(x);
    /// assert_eq!(g.value(n), -2.0);
    /// assert_eq!(g.backward(n)[x], -1.0);
    /// ```
    #[must_use = "the handle is the only convenient way to use the new node"]
    pub fn neg(&mut self, x: Var) -> Var {
        let a = self.value(x);
        self.push(Op::Neg, -a, &[(x, -1.0)])
    }

    /// `xⁿ` for an integer `n`; local derivative `n·xⁿ⁻¹` (exactly `0` for `n = 0`).
    ///
    /// # Panics
    ///
    /// Panics if `x` belongs to another graph.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let x = g.input("x", 2.0);
    /// let y = g.powi(x, -1);
    /// assert_eq!(g.value(y), 0.5);
    /// assert_eq!(g.backward(y)[x], -0.25); // -1/x²
    /// ```
    #[must_use = "the handle is the only convenient way to use the new node"]
    pub fn powi(&mut self, x: Var, n: i32) -> Var {
        let a = self.value(x);
        let local = if n == 0 {
            0.0
        } else {
            f64::from(n) * a.powi(n - 1)
        };
        self.push(Op::Powi(n), a.powi(n), &[(x, local)])
    }

    /// `x²`, recorded as [`Op::Powi(2)`](Op::Powi); local derivative `2x`.
    ///
    /// # Panics
    ///
    /// Panics if `x` belongs to another graph.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let i = g.input("i", 21.0);
    /// let f = g.square(i);
    /// assert_eq!(g.value(f), 441.0);
    /// assert_eq!(g.backward(f)[i], 42.0);
    /// ```
    #[must_use = "the handle is the only convenient way to use the new node"]
    pub fn square(&mut self, x: Var) -> Var {
        self.powi(x, 2)
    }

    /// `eˣ`; local derivative `eˣ`.
    ///
    /// # Panics
    ///
    /// Panics if `x` belongs to another graph.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let x = g.input("x", 0.0);
    /// let y = g.exp(x);
    /// assert_eq!((g.value(y), g.backward(y)[x]), (1.0, 1.0));
    /// ```
    #[must_use = "the handle is the only convenient way to use the new node"]
    pub fn exp(&mut self, x: Var) -> Var {
        let e = self.value(x).exp();
        self.push(Op::Exp, e, &[(x, e)])
    }

    /// Natural logarithm `ln x`; local derivative `1/x`. Follows IEEE 754:
    /// `ln 0 = -∞` (derivative `+∞`), `ln` of a negative number is NaN.
    ///
    /// # Panics
    ///
    /// Panics if `x` belongs to another graph.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let x = g.input("x", 2.0);
    /// let y = g.ln(x);
    /// assert_eq!(g.value(y), 2f64.ln());
    /// assert_eq!(g.backward(y)[x], 0.5);
    /// let neg = g.constant(-1.0);
    /// let nan = g.ln(neg);
    /// assert!(g.value(nan).is_nan());
    /// ```
    #[must_use = "the handle is the only convenient way to use the new node"]
    pub fn ln(&mut self, x: Var) -> Var {
        let a = self.value(x);
        self.push(Op::Ln, a.ln(), &[(x, 1.0 / a)])
    }

    /// Logistic sigmoid `σ(x) = 1 / (1 + e⁻ˣ)`, computed without overflow for
    /// large `|x|`; local derivative `σ(x)·(1 - σ(x))`.
    ///
    /// # Panics
    ///
    /// Panics if `x` belongs to another graph.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let x = g.input("x", 0.0);
    /// let s = g.sigmoid(x);
    /// assert_eq!((g.value(s), g.backward(s)[x]), (0.5, 0.25));
    /// ```
    #[must_use = "the handle is the only convenient way to use the new node"]
    pub fn sigmoid(&mut self, x: Var) -> Var {
        let a = self.value(x);
        let s = if a >= 0.0 {
            1.0 / (1.0 + (-a).exp())
        } else {
            let e = a.exp();
            e / (1.0 + e)
        };
        self.push(Op::Sigmoid, s, &[(x, s * (1.0 - s))])
    }

    /// Hyperbolic tangent; local derivative `1 - tanh²(x)`.
    ///
    /// # Panics
    ///
    /// Panics if `x` belongs to another graph.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let x = g.input("x", 0.0);
    /// let t = g.tanh(x);
    /// assert_eq!((g.value(t), g.backward(t)[x]), (0.0, 1.0));
    /// ```
    #[must_use = "the handle is the only convenient way to use the new node"]
    pub fn tanh(&mut self, x: Var) -> Var {
        let t = self.value(x).tanh();
        self.push(Op::Tanh, t, &[(x, 1.0 - t * t)])
    }

    /// Rectified linear unit `max(x, 0)`; local derivative `1` for `x > 0` and
    /// `0` otherwise (the subgradient `0` is used at the kink `x = 0`). NaN
    /// propagates to both value and derivative.
    ///
    /// # Panics
    ///
    /// Panics if `x` belongs to another graph.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let x = g.input("x", -3.0);
    /// let y = g.relu(x);
    /// assert_eq!((g.value(y), g.backward(y)[x]), (0.0, 0.0));
    /// ```
    #[must_use = "the handle is the only convenient way to use the new node"]
    pub fn relu(&mut self, x: Var) -> Var {
        let a = self.value(x);
        let (value, local) = if a > 0.0 {
            (a, 1.0)
        } else if a.is_nan() {
            (a, a)
        } else {
            (0.0, 0.0)
        };
        self.push(Op::Relu, value, &[(x, local)])
    }

    /// Reverse pass: returns `∂output/∂v` for every node `v`.
    ///
    /// Seeds `∂output/∂output = 1` and walks the nodes from `output` back to the
    /// first in reverse creation order, adding `∂output/∂node · ∂node/∂input` to
    /// each input's gradient, so a node used along several paths (e.g. `x · x`)
    /// receives the sum of all contributions. Nodes the output does not depend on
    /// (including nodes created after it) get exactly `0`, even if their own
    /// local derivatives are infinite or NaN. The graph is not modified, so
    /// `backward` can be called for several outputs.
    ///
    /// # Panics
    ///
    /// Panics if `output` belongs to another graph.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let x = g.input("x", 3.0);
    /// let y = g.mul(x, x); // x used twice
    /// let grads = g.backward(y);
    /// assert_eq!(grads[x], 6.0); // 3 + 3
    /// assert_eq!(grads[y], 1.0);
    /// ```
    #[must_use]
    pub fn backward(&self, output: Var) -> Gradients {
        let out = self.check(output);
        let mut grads = vec![0.0; out + 1];
        let mut reached = vec![false; out + 1];
        grads[out] = 1.0;
        reached[out] = true;
        for i in (0..=out).rev() {
            if !reached[i] {
                continue;
            }
            let node = &self.nodes[i];
            let upstream = grads[i];
            for (input, local) in node.inputs().iter().zip(node.local_grads()) {
                // Chain rule: ∂out/∂input += ∂out/∂node · ∂node/∂input.
                grads[input.index()] += upstream * local;
                reached[input.index()] = true;
            }
        }
        Gradients {
            graph: self.id,
            grads,
        }
    }

    /// Index of `v` in this graph, after checking that it belongs here.
    fn check(&self, v: Var) -> usize {
        assert_eq!(
            v.graph, self.id,
            "autodiff: Var from graph #{} used with graph #{}",
            v.graph, self.id
        );
        v.index()
    }

    /// Appends a node whose inputs (already checked) come with their local derivatives.
    fn push(&mut self, op: Op, value: f64, edges: &[(Var, f64)]) -> Var {
        let this = Var::new(self.id, self.nodes.len());
        let mut inputs = [this; 2];
        let mut local_grads = [0.0; 2];
        for (k, &(input, local)) in edges.iter().enumerate() {
            inputs[k] = input;
            local_grads[k] = local;
        }
        self.nodes.push(Node {
            value,
            name: None,
            op,
            arity: edges.len(),
            inputs,
            local_grads,
        });
        this
    }
}

/// Gradients `∂output/∂v` produced by [`Graph::backward`]; index with a [`Var`].
///
/// # Panics
///
/// Indexing (and [`get`](Self::get)) panics if the handle belongs to another graph.
///
/// # Example
///
/// ```
/// use constnet::autodiff::Graph;
///
/// let mut g = Graph::new();
/// let x = g.input("x", 2.0);
/// let y = g.input("y", 5.0);
/// let p = g.mul(x, y);
/// let grads = g.backward(p);
/// assert_eq!((grads[x], grads.get(y)), (5.0, 2.0));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Gradients {
    graph: u32,
    grads: Vec<f64>,
}

impl Gradients {
    /// `∂output/∂v`; exactly `0` for nodes the output does not depend on,
    /// including nodes created after `backward` was called.
    ///
    /// # Panics
    ///
    /// Panics if `v` belongs to another graph.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let x = g.input("x", 1.0);
    /// let unused = g.input("unused", 1.0);
    /// let y = g.exp(x);
    /// let grads = g.backward(y);
    /// assert_eq!(grads.get(x), 1f64.exp());
    /// assert_eq!(grads.get(unused), 0.0);
    /// ```
    #[must_use]
    pub fn get(&self, v: Var) -> f64 {
        self[v]
    }

    /// Iterates over `(node, ∂output/∂node)` for every node up to and including
    /// the output, in creation order.
    ///
    /// # Example
    ///
    /// ```
    /// use constnet::autodiff::Graph;
    ///
    /// let mut g = Graph::new();
    /// let x = g.input("x", 3.0);
    /// let y = g.square(x);
    /// let all: Vec<f64> = g.backward(y).iter().map(|(_, d)| d).collect();
    /// assert_eq!(all, [6.0, 1.0]);
    /// ```
    #[must_use]
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (Var, f64)> + ExactSizeIterator {
        let graph = self.graph;
        self.grads
            .iter()
            .enumerate()
            .map(move |(i, &d)| (Var::new(graph, i), d))
    }
}

impl Index<Var> for Gradients {
    type Output = f64;

    fn index(&self, v: Var) -> &f64 {
        assert_eq!(
            v.graph, self.graph,
            "autodiff: Var from graph #{} used with gradients of graph #{}",
            v.graph, self.graph
        );
        self.grads.get(v.index()).unwrap_or(&0.0)
    }
}

/// Formats an exponent with Unicode superscript digits (`2` → `²`, `-1` → `⁻¹`).
struct Superscript(i32);

impl fmt::Display for Superscript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.to_string().chars() {
            let sup = match c {
                '-' => '⁻',
                '0' => '⁰',
                '1' => '¹',
                '2' => '²',
                '3' => '³',
                '4' => '⁴',
                '5' => '⁵',
                '6' => '⁶',
                '7' => '⁷',
                '8' => '⁸',
                '9' => '⁹',
                other => other,
            };
            write!(f, "{sup}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random_cases::check;

    /// Builds `build` at `point` (inputs named `x0`, `x1`, ...), returning the
    /// analytic gradient from [`Graph::backward`] and the central-difference
    /// gradient `(f(p + hₖ) - f(p - hₖ)) / 2hₖ` with `hₖ = 1e-5 · max(1, |pₖ|)`.
    fn gradients<F>(build: F, point: &[f64]) -> (Vec<f64>, Vec<f64>)
    where
        F: Fn(&mut Graph, &[Var]) -> Var,
    {
        let eval = |p: &[f64]| {
            let mut g = Graph::new();
            let xs: Vec<Var> = p
                .iter()
                .enumerate()
                .map(|(k, &v)| g.input(format!("x{k}"), v))
                .collect();
            let out = build(&mut g, &xs);
            let grads = g.backward(out);
            (
                g.value(out),
                xs.iter().map(|&x| grads[x]).collect::<Vec<_>>(),
            )
        };
        let (_, analytic) = eval(point);
        let numeric = (0..point.len())
            .map(|k| {
                let h = 1e-5 * point[k].abs().max(1.0);
                let mut plus = point.to_vec();
                let mut minus = point.to_vec();
                plus[k] += h;
                minus[k] -= h;
                (eval(&plus).0 - eval(&minus).0) / (2.0 * h)
            })
            .collect();
        (analytic, numeric)
    }

    /// Relative error, measured against magnitude 1 for gradients smaller than 1.
    fn rel_error(a: f64, b: f64) -> f64 {
        (a - b).abs() / a.abs().max(b.abs()).max(1.0)
    }

    /// Asserts that backward agrees with central finite differences to 1e-6.
    fn assert_matches_finite_differences<F>(build: F, point: &[f64])
    where
        F: Fn(&mut Graph, &[Var]) -> Var,
    {
        let (analytic, numeric) = gradients(build, point);
        for (k, (a, n)) in analytic.iter().zip(&numeric).enumerate() {
            assert!(
                rel_error(*a, *n) < 1e-6,
                "∂/∂x{k} at {point:?}: backward {a}, finite difference {n}"
            );
        }
    }

    const POINTS: [f64; 6] = [-2.3, -0.7, -0.1, 0.4, 1.9, 3.2];
    const POSITIVE: [f64; 5] = [0.2, 0.9, 1.0, 2.5, 7.0];

    #[test]
    fn lecture_example_values_and_all_partials() {
        let mut g = Graph::new();
        let a = g.input("a", 1.0);
        let b = g.input("b", 2.0);
        let c = g.input("c", 3.0);
        let d = g.input("d", 4.0);
        let gv = g.add(a, b);
        let h = g.add(c, d);
        let i = g.mul(gv, h);
        let f = g.square(i);
        assert_eq!([gv, h, i, f].map(|v| g.value(v)), [3.0, 7.0, 21.0, 441.0]);
        let grads = g.backward(f);
        let expected = [
            (f, 1.0),
            (i, 42.0),
            (gv, 294.0),
            (h, 126.0),
            (a, 294.0),
            (b, 294.0),
            (c, 126.0),
            (d, 126.0),
        ];
        for (v, want) in expected {
            assert_eq!(grads[v], want, "node {}", v.index());
        }
        assert_matches_finite_differences(
            |g, x| {
                let s = g.add(x[0], x[1]);
                let t = g.add(x[2], x[3]);
                let p = g.mul(s, t);
                g.square(p)
            },
            &[1.0, 2.0, 3.0, 4.0],
        );
    }

    #[test]
    fn forward_values_match_std() {
        let mut g = Graph::new();
        let x = g.input("x", 0.7);
        let y = g.input("y", -1.3);
        let cases = [
            (g.add(x, y), 0.7 + -1.3),
            (g.sub(x, y), 0.7 - -1.3),
            (g.mul(x, y), 0.7 * -1.3),
            (g.div(x, y), 0.7 / -1.3),
            (g.neg(x), -0.7),
            (g.powi(y, 3), (-1.3f64).powi(3)),
            (g.square(y), 1.69),
            (g.exp(y), (-1.3f64).exp()),
            (g.ln(x), 0.7f64.ln()),
            (g.sigmoid(y), 1.0 / (1.0 + 1.3f64.exp())),
            (g.tanh(y), (-1.3f64).tanh()),
            (g.relu(x), 0.7),
            (g.relu(y), 0.0),
            (g.constant(2.5), 2.5),
        ];
        for (v, want) in cases {
            assert!(rel_error(g.value(v), want) < 1e-15, "{:?}", g.node(v));
        }
    }

    #[test]
    fn binary_ops_match_finite_differences() {
        for &p in &POINTS {
            for &q in &POINTS {
                let pt = [p, q];
                assert_matches_finite_differences(|g, x| g.add(x[0], x[1]), &pt);
                assert_matches_finite_differences(|g, x| g.sub(x[0], x[1]), &pt);
                assert_matches_finite_differences(|g, x| g.mul(x[0], x[1]), &pt);
                assert_matches_finite_differences(|g, x| g.div(x[0], x[1]), &pt);
            }
        }
    }

    #[test]
    fn unary_ops_match_finite_differences() {
        for &p in &POINTS {
            assert_matches_finite_differences(|g, x| g.neg(x[0]), &[p]);
            assert_matches_finite_differences(|g, x| g.square(x[0]), &[p]);
            assert_matches_finite_differences(|g, x| g.exp(x[0]), &[p]);
            assert_matches_finite_differences(|g, x| g.sigmoid(x[0]), &[p]);
            assert_matches_finite_differences(|g, x| g.tanh(x[0]), &[p]);
            assert_matches_finite_differences(|g, x| g.relu(x[0]), &[p]);
            for n in -3..=4 {
                assert_matches_finite_differences(|g, x| g.powi(x[0], n), &[p]);
            }
        }
        for &p in &POSITIVE {
            assert_matches_finite_differences(|g, x| g.ln(x[0]), &[p]);
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
        assert_eq!(g.backward(g.node(dbl).inputs()[0])[x], 1.0);

        // y = 2x feeds two paths: z = y² + exp(y), dz/dx = (2y + e^y) · 2.
        let two = g.constant(2.0);
        let y = g.mul(two, x);
        let y2 = g.square(y);
        let ey = g.exp(y);
        let z = g.add(y2, ey);
        let grads = g.backward(z);
        let yv = 6.0;
        assert!(rel_error(grads[y], 2.0 * yv + f64::exp(yv)) < 1e-15);
        assert!(rel_error(grads[x], 2.0 * (2.0 * yv + f64::exp(yv))) < 1e-15);
        // The constant gets a gradient too: ∂z/∂two = ∂z/∂y · x.
        assert!(rel_error(grads[two], 3.0 * grads[y]) < 1e-15);

        for &p in &POINTS {
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

    /// `loss = (σ(w₁x₁ + w₂x₂ + b) - target)²` for inputs `[w₁, w₂, b, x₁, x₂, target]`.
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
    fn neuron_and_loss_match_finite_differences() {
        let points = [
            [0.5, -1.2, 0.1, 2.0, 0.3, 1.0],
            [-0.8, 0.4, -0.3, -1.5, 2.2, 0.0],
            [1.7, 0.9, 0.6, 0.25, -0.75, 0.5],
        ];
        for pt in &points {
            assert_matches_finite_differences(neuron_loss, pt);
        }
        // Closed form: ∂loss/∂w₁ = 2(p - t) · p(1 - p) · x₁.
        let pt = points[0];
        let z = pt[0] * pt[3] + pt[1] * pt[4] + pt[2];
        let p = 1.0 / (1.0 + (-z).exp());
        let (analytic, _) = gradients(neuron_loss, &pt);
        let want = 2.0 * (p - pt[5]) * p * (1.0 - p) * pt[3];
        assert!(rel_error(analytic[0], want) < 1e-12);

        // Cross-entropy through ln, and a tanh/relu/div chain.
        assert_matches_finite_differences(
            |g, v| {
                let z = g.mul(v[0], v[1]);
                let p = g.sigmoid(z);
                let lp = g.ln(p);
                g.neg(lp)
            },
            &[0.7, -1.1],
        );
        assert_matches_finite_differences(
            |g, v| {
                let h = g.tanh(v[0]);
                let r = g.relu(v[1]);
                let q = g.div(h, v[2]);
                let m = g.mul(q, r);
                let e = g.exp(m);
                g.powi(e, -2)
            },
            &[0.3, 1.4, -2.0],
        );
    }

    #[test]
    fn nodes_outside_the_output_cone_get_zero() {
        let mut g = Graph::new();
        let x = g.input("x", 0.0);
        let bad = g.ln(x); // local derivative +∞, but unused by the output
        let one = g.constant(1.0);
        let y = g.add(x, one);
        let later = g.exp(y);
        let grads = g.backward(y);
        assert_eq!((grads[x], grads[bad], grads[later]), (1.0, 0.0, 0.0));
        assert_eq!(grads.iter().len(), 4);
    }

    #[test]
    fn ieee_edge_cases_propagate() {
        let mut g = Graph::new();
        let x = g.input("x", 0.0);
        let one = g.constant(1.0);
        let q = g.div(one, x);
        assert_eq!(g.value(q), f64::INFINITY);
        let nan = g.div(x, x);
        assert!(g.value(nan).is_nan());
        assert!(g.backward(nan)[x].is_nan());
        let l = g.ln(x);
        assert_eq!(g.value(l), f64::NEG_INFINITY);
        assert_eq!(g.backward(l)[x], f64::INFINITY);
        let r = g.relu(nan);
        assert!(g.value(r).is_nan() && g.backward(r)[x].is_nan());
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
    fn names_expressions_and_iteration() {
        let mut g = Graph::new();
        assert!(g.is_empty());
        let a = g.input("a", 1.0);
        let b = g.input("b", 2.0);
        let k = g.constant(0.5);
        let s = g.add(a, b);
        assert_eq!(g.name(s), None);
        g.set_name(s, "g");
        let cases = [
            (g.sub(a, b), "a - b"),
            (g.mul(s, k), "g · #2"),
            (g.div(a, b), "a / b"),
            (g.neg(s), "-g"),
            (g.powi(a, -12), "a⁻¹²"),
            (g.exp(a), "exp(a)"),
            (g.ln(a), "ln(a)"),
            (g.sigmoid(a), "sigmoid(a)"),
            (g.tanh(a), "tanh(a)"),
            (g.relu(a), "relu(a)"),
        ];
        for (v, want) in cases {
            assert_eq!(g.expression(v), want);
        }
        assert_eq!(g.expression(a), "input");
        assert_eq!(g.expression(k), "0.5");
        assert_eq!(g.expression(s), "a + b");
        assert_eq!(g.name(s), Some("g"));
        assert_eq!(g.len(), 14);
        let names: Vec<_> = g.nodes().take(4).map(|(_, n)| n.name()).collect();
        assert_eq!(names, [Some("a"), Some("b"), None, Some("g")]);
        assert!(g.nodes().enumerate().all(|(i, (v, _))| v.index() == i));
    }

    #[test]
    #[should_panic(expected = "Var from graph")]
    fn var_from_another_graph_panics() {
        let mut g1 = Graph::new();
        let mut g2 = Graph::default();
        let x = g1.input("x", 1.0);
        let _ = g2.input("y", 1.0);
        let _ = g2.exp(x);
    }

    #[test]
    #[should_panic(expected = "Var from graph")]
    fn gradients_reject_var_from_another_graph() {
        let mut g1 = Graph::new();
        let mut g2 = Graph::new();
        let x = g1.input("x", 1.0);
        let y = g2.input("y", 1.0);
        let _ = g1.backward(x)[y];
    }

    /// A fixed expression using every op, evaluated at arbitrary points.
    fn kitchen_sink(g: &mut Graph, v: &[Var]) -> Var {
        let p = g.mul(v[0], v[1]);
        let s = g.sigmoid(p);
        let t = g.tanh(v[2]);
        let q = g.sub(s, t);
        let sq = g.square(q);
        let one = g.constant(1.0);
        let pos = g.add(sq, one);
        let l = g.ln(pos);
        let e = g.exp(v[0]);
        let d = g.div(l, e);
        let c = g.powi(v[1], 3);
        let n = g.neg(c);
        let m = g.mul(d, n);
        let r = g.relu(v[2]);
        g.add(m, r)
    }

    #[test]
    fn random_points_match_finite_differences() {
        check(
            |g| {
                let c = if g.bool() {
                    g.range(-3.0_f64..-0.01)
                } else {
                    g.range(0.01_f64..3.0)
                };
                [g.range(-3.0_f64..3.0), g.range(-3.0_f64..3.0), c]
            },
            |point| {
                let (analytic, numeric) = gradients(kitchen_sink, point);
                for (x, y) in analytic.iter().zip(&numeric) {
                    assert!(rel_error(*x, *y) < 1e-6, "{analytic:?} vs {numeric:?}");
                }
            },
        );
    }
}
