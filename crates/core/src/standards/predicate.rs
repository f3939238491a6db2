//! A small, readable condition language for standards: `sex == 'F' && (pregnant || child_under_18_months)`.
//!
//! Fields are the person's facts at the trigger, or `event.X` for a field of the event in hand.
//! Conditions are checked against a schema when standards load, so a typo is refused at start-up.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Text,
    Number,
    Bool,
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Type::Text => "text",
            Type::Number => "a number",
            Type::Bool => "true or false",
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    Bool(bool),
}

impl Value {
    /// A field of an event's details as a condition sees it (objects and nulls are not values).
    pub fn from_json(v: &serde_json::Value) -> Option<Value> {
        match v {
            serde_json::Value::String(s) => Some(Value::Text(s.clone())),
            serde_json::Value::Number(n) => n.as_f64().map(Value::Number),
            serde_json::Value::Bool(b) => Some(Value::Bool(*b)),
            _ => None,
        }
    }

    fn type_of(&self) -> Type {
        match self {
            Value::Text(_) => Type::Text,
            Value::Number(_) => Type::Number,
            Value::Bool(_) => Type::Bool,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Fact(String),
    Event(String),
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Fact(n) => f.write_str(n),
            Field::Event(n) => write!(f, "event.{n}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    /// A true-or-false field on its own.
    Is(Field),
    Compare(Field, Op, Value),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at character {at} of {text:?})")]
pub struct PredicateError {
    pub text: String,
    pub at: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Text(String),
    Number(f64),
    Op(Op),
    And,
    Or,
    Not,
    Open,
    Close,
}

fn tokens(text: &str) -> Result<Vec<(usize, Token)>, PredicateError> {
    let err = |at: usize, message: &str| PredicateError { text: text.into(), at, message: message.into() };
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let two = |a: char, b: char| c == a && chars.get(i + 1) == Some(&b);
        let token = if c.is_whitespace() {
            i += 1;
            continue;
        } else if two('&', '&') {
            i += 2;
            Token::And
        } else if two('|', '|') {
            i += 2;
            Token::Or
        } else if two('=', '=') || two('!', '=') || two('<', '=') || two('>', '=') {
            i += 2;
            Token::Op(match c {
                '=' => Op::Eq,
                '!' => Op::Ne,
                '<' => Op::Le,
                _ => Op::Ge,
            })
        } else if c == '<' || c == '>' {
            i += 1;
            Token::Op(if c == '<' { Op::Lt } else { Op::Gt })
        } else if c == '!' {
            i += 1;
            Token::Not
        } else if c == '(' || c == ')' {
            i += 1;
            if c == '(' { Token::Open } else { Token::Close }
        } else if c == '\'' || c == '"' {
            let end = chars[i + 1..].iter().position(|x| *x == c).ok_or_else(|| err(start, "text is not closed"))?;
            let s: String = chars[i + 1..i + 1 + end].iter().collect();
            i += end + 2;
            Token::Text(s)
        } else if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let s: String = chars[start..i].iter().collect();
            Token::Number(s.parse().map_err(|_| err(start, "not a number"))?)
        } else if c.is_ascii_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                i += 1;
            }
            Token::Ident(chars[start..i].iter().collect())
        } else {
            return Err(err(start, &format!("unexpected {c:?}")));
        };
        out.push((start, token));
    }
    Ok(out)
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<(usize, Token)>,
    pos: usize,
}

impl Parser<'_> {
    fn err(&self, message: impl Into<String>) -> PredicateError {
        let at = self.tokens.get(self.pos).map_or(self.text.chars().count(), |(at, _)| *at);
        PredicateError { text: self.text.into(), at, message: message.into() }
    }
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(_, t)| t)
    }
    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).map(|(_, t)| t.clone());
        self.pos += 1;
        t
    }
    fn or(&mut self) -> Result<Expr, PredicateError> {
        let mut left = self.and()?;
        while self.peek() == Some(&Token::Or) {
            self.pos += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }
    fn and(&mut self) -> Result<Expr, PredicateError> {
        let mut left = self.unary()?;
        while self.peek() == Some(&Token::And) {
            self.pos += 1;
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }
    fn unary(&mut self) -> Result<Expr, PredicateError> {
        match self.next() {
            Some(Token::Not) => Ok(Expr::Not(Box::new(self.unary()?))),
            Some(Token::Open) => {
                let e = self.or()?;
                match self.next() {
                    Some(Token::Close) => Ok(e),
                    _ => {
                        self.pos -= 1;
                        Err(self.err("expected )"))
                    }
                }
            }
            Some(Token::Ident(name)) => {
                let field = match name.split_once('.') {
                    Some(("event", f)) if !f.is_empty() && !f.contains('.') => Field::Event(f.to_string()),
                    None => Field::Fact(name),
                    Some(_) => {
                        self.pos -= 1;
                        return Err(self.err(format!("{name} is not a field: use a fact or event.FIELD")));
                    }
                };
                let Some(Token::Op(op)) = self.peek().cloned() else { return Ok(Expr::Is(field)) };
                self.pos += 1;
                let value = match self.next() {
                    Some(Token::Text(s)) => Value::Text(s),
                    Some(Token::Number(n)) => Value::Number(n),
                    Some(Token::Ident(b)) if b == "true" || b == "false" => Value::Bool(b == "true"),
                    _ => {
                        self.pos -= 1;
                        return Err(self.err("expected a value: 'text', a number, true or false"));
                    }
                };
                Ok(Expr::Compare(field, op, value))
            }
            _ => {
                self.pos -= 1;
                Err(self.err("expected a field, ! or ("))
            }
        }
    }
}

impl Expr {
    pub fn parse(text: &str) -> Result<Self, PredicateError> {
        let mut p = Parser { text, tokens: tokens(text)?, pos: 0 };
        let e = p.or()?;
        if p.pos < p.tokens.len() {
            return Err(p.err("unexpected text after the condition"));
        }
        Ok(e)
    }

    /// Checks every field exists in the schema and is compared with a value of its type.
    pub fn check(&self, schema: &dyn Fn(&Field) -> Option<Type>) -> Result<(), String> {
        match self {
            Expr::Or(a, b) | Expr::And(a, b) => a.check(schema).and_then(|()| b.check(schema)),
            Expr::Not(a) => a.check(schema),
            Expr::Is(f) => match schema(f) {
                None => Err(format!("there is no field {f}")),
                Some(Type::Bool) => Ok(()),
                Some(t) => Err(format!("{f} is {t}: compare it with a value")),
            },
            Expr::Compare(f, op, v) => match schema(f) {
                None => Err(format!("there is no field {f}")),
                Some(t) if t != v.type_of() => Err(format!("{f} is {t}, but is compared with {}", v.type_of())),
                Some(Type::Text | Type::Bool) if !matches!(op, Op::Eq | Op::Ne) => {
                    Err(format!("{f} can only be compared with == or !="))
                }
                Some(_) => Ok(()),
            },
        }
    }

    /// Evaluates with the values at hand; a comparison with a missing value is false.
    pub fn eval(&self, get: &dyn Fn(&Field) -> Option<Value>) -> bool {
        match self {
            Expr::Or(a, b) => a.eval(get) || b.eval(get),
            Expr::And(a, b) => a.eval(get) && b.eval(get),
            Expr::Not(a) => !a.eval(get),
            Expr::Is(f) => get(f) == Some(Value::Bool(true)),
            Expr::Compare(f, op, v) => {
                let Some(x) = get(f) else { return false };
                let ord = match (&x, v) {
                    (Value::Number(a), Value::Number(b)) => a.partial_cmp(b),
                    (Value::Text(a), Value::Text(b)) => Some(a.cmp(b)),
                    (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
                    _ => None,
                };
                let Some(ord) = ord else { return false };
                match op {
                    Op::Eq => ord.is_eq(),
                    Op::Ne => ord.is_ne(),
                    Op::Lt => ord.is_lt(),
                    Op::Le => ord.is_le(),
                    Op::Gt => ord.is_gt(),
                    Op::Ge => ord.is_ge(),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(f: &Field) -> Option<Type> {
        match f {
            Field::Fact(n) if n == "sex" => Some(Type::Text),
            Field::Fact(n) if n == "pregnant" || n == "child_under_18_months" => Some(Type::Bool),
            Field::Fact(n) if n == "age" => Some(Type::Number),
            Field::Event(n) if n == "minutes" => Some(Type::Number),
            _ => None,
        }
    }

    fn eval(text: &str, sex: &str, pregnant: bool, age: f64) -> bool {
        let e = Expr::parse(text).unwrap();
        e.check(&schema).unwrap();
        e.eval(&|f: &Field| match f {
            Field::Fact(n) if n == "sex" => Some(Value::Text(sex.into())),
            Field::Fact(n) if n == "pregnant" => Some(Value::Bool(pregnant)),
            Field::Fact(n) if n == "child_under_18_months" => Some(Value::Bool(false)),
            Field::Fact(n) if n == "age" => Some(Value::Number(age)),
            _ => None,
        })
    }

    #[test]
    fn conditions_evaluate_with_precedence_and_parentheses() {
        let mbu = "sex == 'F' && (pregnant || child_under_18_months)";
        assert!(eval(mbu, "F", true, 30.0));
        assert!(!eval(mbu, "F", false, 30.0));
        assert!(!eval(mbu, "M", true, 30.0));
        assert!(eval("sex == 'M' || sex == 'F' && pregnant", "M", false, 30.0), "&& binds tighter than ||");
        assert!(eval("!pregnant && age >= 18 && age < 21", "M", false, 18.0));
        assert!(!eval("event.minutes >= 45", "M", false, 18.0), "a missing value compares false");
    }

    #[test]
    fn mistakes_are_refused_with_where_and_why() {
        let bad = |t: &str| match Expr::parse(t) {
            Err(e) => e.to_string(),
            Ok(e) => e.check(&schema).unwrap_err(),
        };
        assert!(bad("sex == 'F' &&").contains("expected a field"));
        assert!(bad("(pregnant").contains("expected )"));
        assert!(bad("sex = 'F'").contains("unexpected '='"));
        assert!(bad("gender == 'F'").contains("no field gender"));
        assert!(bad("age == 'old'").contains("age is a number"));
        assert!(bad("sex > 'A'").contains("== or !="));
        assert!(bad("age").contains("compare it"));
        assert!(bad("person.age > 3").contains("not a field"));
        assert!(bad("sex == 'F' pregnant").contains("unexpected text"));
    }
}
