//! Version ordering, one comparator per ecosystem, each following that ecosystem's own rules.
