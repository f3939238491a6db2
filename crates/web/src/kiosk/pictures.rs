//! The easy-read pictures, built into the binary (one per name in `information::PICTURES`).

pub const PICTURES: &[(&str, &str)] = &[
    ("baby", include_str!("../../assets/pictures/baby.svg")),
    ("bell", include_str!("../../assets/pictures/bell.svg")),
    ("book", include_str!("../../assets/pictures/book.svg")),
    ("calendar", include_str!("../../assets/pictures/calendar.svg")),
    ("clock", include_str!("../../assets/pictures/clock.svg")),
    ("door", include_str!("../../assets/pictures/door.svg")),
    ("family", include_str!("../../assets/pictures/family.svg")),
    ("house", include_str!("../../assets/pictures/house.svg")),
    ("letter", include_str!("../../assets/pictures/letter.svg")),
    ("lock", include_str!("../../assets/pictures/lock.svg")),
    ("nurse", include_str!("../../assets/pictures/nurse.svg")),
    ("phone", include_str!("../../assets/pictures/phone.svg")),
    ("pill", include_str!("../../assets/pictures/pill.svg")),
    ("question", include_str!("../../assets/pictures/question.svg")),
    ("scales", include_str!("../../assets/pictures/scales.svg")),
    ("screen", include_str!("../../assets/pictures/screen.svg")),
    ("talk", include_str!("../../assets/pictures/talk.svg")),
];
