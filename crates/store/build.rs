// Migrations are embedded with include_str!: rebuild when any of them changes.
fn main() {
    println!("cargo::rerun-if-changed=migrations");
}
