//! The named days behind the bank holiday rules: holidays on fixed dates with their
//! substitute-day names, the movable days' names, and the tabled one-off changes.

/// A holiday on a fixed calendar date, which gets a substitute day when it falls on a weekend.
pub(super) struct Fixed {
    pub(super) month: u32,
    pub(super) day: u32,
    pub(super) name: &'static str,
    pub(super) substitute: &'static str,
}

/// A [`Fixed`] holiday whose substitute day is named as gov.uk names them all.
macro_rules! fixed {
    ($month:expr, $day:expr, $name:literal) => {
        Fixed {
            month: $month,
            day: $day,
            name: $name,
            substitute: concat!($name, " (substitute day)"),
        }
    };
}

pub(super) const NEW_YEAR: Fixed = fixed!(1, 1, "New Year's Day");
pub(super) const SECOND_JANUARY: Fixed = fixed!(1, 2, "2nd January");
pub(super) const ST_PATRICK: Fixed = fixed!(3, 17, "St Patrick's Day");
pub(super) const BOYNE: Fixed = fixed!(7, 12, "Battle of the Boyne (Orangemen's Day)");
pub(super) const ST_ANDREW: Fixed = fixed!(11, 30, "St Andrew's Day");
pub(super) const CHRISTMAS: Fixed = fixed!(12, 25, "Christmas Day");
pub(super) const BOXING: Fixed = fixed!(12, 26, "Boxing Day");

pub(super) const GOOD_FRIDAY: &str = "Good Friday";
pub(super) const EASTER_MONDAY: &str = "Easter Monday";
pub(super) const EARLY_MAY: &str = "Early May bank holiday";
pub(super) const SPRING: &str = "Spring bank holiday";
pub(super) const SUMMER: &str = "Summer bank holiday";

/// Years whose Early May bank holiday was moved by proclamation: (year, month, day, name).
pub(super) const EARLY_MAY_MOVED: &[(i32, u32, u32, &str)] = &[
    (1995, 5, 8, "Early May bank holiday (VE day)"),
    (2020, 5, 8, "Early May bank holiday (VE day)"),
];

/// Years whose Spring bank holiday was moved to make room for a jubilee.
pub(super) const SPRING_MOVED: &[(i32, u32, u32)] = &[(2002, 6, 4), (2012, 6, 4), (2022, 6, 2)];

/// One-off extra bank holidays of Scotland alone (gov.uk's names).
pub(super) const SCOTLAND_EXTRA_DAYS: &[(i32, u32, u32, &str)] =
    &[(2026, 6, 15, "World Cup bank holiday")];

/// One-off extra bank holidays, in all three UK regions.
pub(super) const EXTRA_DAYS: &[(i32, u32, u32, &str)] = &[
    (1999, 12, 31, "Millennium celebrations"),
    (2002, 6, 3, "Queen's Golden Jubilee"),
    (2011, 4, 29, "Royal wedding"),
    (2012, 6, 5, "Queen's Diamond Jubilee"),
    (2022, 6, 3, "Platinum Jubilee bank holiday"),
    (
        2022,
        9,
        19,
        "Bank holiday for the State Funeral of Queen Elizabeth II",
    ),
    (
        2023,
        5,
        8,
        "Bank holiday for the coronation of King Charles III",
    ),
];
