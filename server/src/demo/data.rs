//! The demo's fixed data: people's names, the ten "persona" officers, real Columbus sites and
//! the kinds of details worked there.

use offduty_domain::eligibility::Rank;

/// First names for generated officers.
#[rustfmt::skip]
pub const FIRST_NAMES: &[&str] = &[
    "James", "Michael", "Robert", "David", "William", "Christopher", "Daniel", "Matthew",
    "Anthony", "Joshua", "Andrew", "Ryan", "Brandon", "Tyler", "Kevin", "Jason", "Justin",
    "Eric", "Adam", "Nathan", "Kyle", "Aaron", "Jeremy", "Sean", "Travis", "Cody", "Dustin",
    "Marcus", "Andre", "DeShawn", "Terrence", "Luis", "Carlos", "Miguel", "Ahmed", "Omar",
    "Hassan", "Vikram", "Minh", "Kenji", "Sarah", "Jessica", "Ashley", "Emily", "Amanda",
    "Megan", "Rachel", "Lauren", "Nicole", "Stephanie", "Heather", "Kimberly", "Michelle",
    "Brittany", "Danielle", "Tasha", "Latoya", "Maria", "Ana", "Rosa", "Fatima", "Aisha", "Mei",
    "Hannah", "Katie", "Erin", "Molly", "Courtney", "Jenna", "Alicia",
];

/// Last names for generated officers.
#[rustfmt::skip]
pub const LAST_NAMES: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark",
    "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green",
    "Adams", "Baker", "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips",
    "Campbell", "Parker", "Evans", "Edwards", "Collins", "Stewart", "Morris", "Murphy", "Cook",
    "Rogers", "Morgan", "Cooper", "Peterson", "Reed", "Bailey", "Kelly", "Howard", "Cox",
    "Ward", "Richardson", "Brooks", "Sanders", "Price", "Bennett", "Wood", "Ross", "Henderson",
    "Coleman", "Jenkins", "Perry", "Powell", "Patterson", "Hughes", "Flores", "Washington",
    "Butler", "Simmons", "Foster", "Gonzales", "Bryant", "Alexander", "Russell", "Griffin",
    "Hayes", "Myers", "Ford", "Hamilton", "Graham", "Sullivan", "Wallace", "Woods", "Cole",
    "West", "Jordan", "Reynolds", "Marshall", "Kowalczyk", "Schneider", "Mueller", "Yoder",
    "Nguyen", "Patel", "Kim", "Rodriguez", "Hernandez", "O'Brien", "McCarthy", "Schmidt",
    "Novak",
];

/// A hand-made officer: officer001 … officer010, the accounts the README points people at.
pub struct Persona {
    /// Display name.
    pub name: &'static str,
    /// Rank.
    pub rank: Rank,
    /// Certifications.
    pub certifications: &'static [&'static str],
    /// Groups (units).
    pub groups: &'static [&'static str],
}

/// officer001 (most senior) to officer010, all with valid permits.
pub const PERSONAS: &[Persona] = &[
    Persona {
        name: "Marcus Holloway",
        rank: Rank::Sergeant,
        certifications: &["flagger", "crowd_control"],
        groups: &["Zone 3", "Special Events Unit"],
    },
    Persona {
        name: "Angela Reyes",
        rank: Rank::Lieutenant,
        certifications: &["crowd_control"],
        groups: &["Zone 1"],
    },
    Persona {
        name: "Tom Kowalski",
        rank: Rank::Sergeant,
        certifications: &["motor", "flagger"],
        groups: &["Zone 2", "Traffic Bureau"],
    },
    Persona {
        name: "Keisha Barnes",
        rank: Rank::Corporal,
        certifications: &["bike", "crowd_control"],
        groups: &["Zone 4", "Special Events Unit"],
    },
    Persona {
        name: "Brian O'Connell",
        rank: Rank::Corporal,
        certifications: &["flagger"],
        groups: &["Zone 5"],
    },
    Persona {
        name: "Priya Natarajan",
        rank: Rank::Officer,
        certifications: &["flagger", "bike"],
        groups: &["Zone 3"],
    },
    Persona {
        name: "Derek Lindqvist",
        rank: Rank::Officer,
        certifications: &["motor", "flagger"],
        groups: &["Zone 2", "Traffic Bureau"],
    },
    Persona {
        name: "Lauren Feldman",
        rank: Rank::Officer,
        certifications: &["k9"],
        groups: &["Zone 1"],
    },
    Persona {
        name: "Jamal Whitaker",
        rank: Rank::Officer,
        certifications: &["crowd_control"],
        groups: &["Zone 4", "Special Events Unit"],
    },
    Persona {
        name: "Sofia Marchetti",
        rank: Rank::Officer,
        certifications: &[],
        groups: &["Zone 5"],
    },
];

/// The patrol zones every officer belongs to one of.
pub const ZONES: &[&str] = &["Zone 1", "Zone 2", "Zone 3", "Zone 4", "Zone 5"];

/// A customer that has an offduty account (its jobs carry `customer_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Account {
    /// No account: the customer is only a name on the job.
    None,
    /// `events@ohiostadium.demo`.
    Stadium,
    /// `security@eastontowncenter.demo`.
    Easton,
}

/// A geofence shape around a site, in metres east/north of the site's location.
#[derive(Debug)]
pub enum FenceSpec {
    /// A circle of this radius around the location.
    Circle(f64),
    /// A simple polygon through these (east, north) offsets, in order.
    Polygon(&'static [(f64, f64)]),
}

/// A real place in or near Columbus, Ohio.
#[derive(Debug)]
pub struct Site {
    /// Name officers see.
    pub name: &'static str,
    /// Street address.
    pub address: &'static str,
    /// Where to report, WGS 84.
    pub lat: f64,
    /// Where to report, WGS 84.
    pub lon: f64,
    /// Where a punch counts as on site.
    pub fence: FenceSpec,
    /// The paying customer, as officers see it.
    pub customer: &'static str,
    /// The customer's offduty account, if any.
    pub account: Account,
}

macro_rules! site {
    ($name:expr, $address:expr, $lat:expr, $lon:expr, $fence:expr, $customer:expr) => {
        site!(
            $name,
            $address,
            $lat,
            $lon,
            $fence,
            $customer,
            Account::None
        )
    };
    ($name:expr, $address:expr, $lat:expr, $lon:expr, $fence:expr, $customer:expr, $account:expr) => {
        Site {
            name: $name,
            address: $address,
            lat: $lat,
            lon: $lon,
            fence: $fence,
            customer: $customer,
            account: $account,
        }
    };
}

use FenceSpec::{Circle, Polygon};

const OHIO_STADIUM: Site = site!(
    "Ohio Stadium",
    "411 Woody Hayes Dr, Columbus, OH 43210",
    40.0017,
    -83.0197,
    Polygon(&[
        (0.0, 330.0),
        (200.0, 250.0),
        (260.0, 20.0),
        (210.0, -230.0),
        (0.0, -320.0),
        (-210.0, -230.0),
        (-260.0, 20.0),
        (-200.0, 250.0),
    ]),
    "Ohio State Athletics",
    Account::Stadium
);
const SCHOTTENSTEIN: Site = site!(
    "Schottenstein Center",
    "555 Borror Dr, Columbus, OH 43210",
    40.0075,
    -83.0250,
    Polygon(&[
        (0.0, 170.0),
        (170.0, 60.0),
        (110.0, -150.0),
        (-110.0, -150.0),
        (-170.0, 60.0),
    ]),
    "Ohio State Athletics",
    Account::Stadium
);
const NATIONWIDE_ARENA: Site = site!(
    "Nationwide Arena",
    "200 W Nationwide Blvd, Columbus, OH 43215",
    39.9693,
    -83.0061,
    Polygon(&[
        (0.0, 140.0),
        (150.0, 80.0),
        (150.0, -80.0),
        (0.0, -140.0),
        (-150.0, -80.0),
        (-150.0, 80.0),
    ]),
    "Nationwide Arena Event Services"
);
const LOWER_COM_FIELD: Site = site!(
    "Lower.com Field",
    "96 Columbus Crew Way, Columbus, OH 43215",
    39.9684,
    -83.0171,
    Circle(300.0),
    "Columbus Crew"
);
const HUNTINGTON_PARK: Site = site!(
    "Huntington Park",
    "330 Huntington Park Ln, Columbus, OH 43215",
    39.9687,
    -83.0109,
    Circle(200.0),
    "Columbus Clippers"
);
const CONVENTION_CENTER: Site = site!(
    "Greater Columbus Convention Center",
    "400 N High St, Columbus, OH 43215",
    39.9703,
    -83.0006,
    Polygon(&[
        (-120.0, -250.0),
        (120.0, -250.0),
        (120.0, 250.0),
        (-120.0, 250.0)
    ]),
    "Greater Columbus Convention Center"
);
const EASTON: Site = site!(
    "Easton Town Center",
    "160 Easton Town Center, Columbus, OH 43219",
    40.0508,
    -82.9152,
    Circle(400.0),
    "Easton Town Center",
    Account::Easton
);
const POLARIS: Site = site!(
    "Polaris Fashion Place",
    "1500 Polaris Pkwy, Columbus, OH 43240",
    40.1457,
    -82.9812,
    Circle(350.0),
    "Polaris Fashion Place"
);
const SHORT_NORTH: Site = site!(
    "Short North Arts District",
    "N High St & W Russell St, Columbus, OH 43215",
    39.9780,
    -83.0036,
    Circle(250.0),
    "Short North Alliance"
);
const GERMAN_VILLAGE: Site = site!(
    "German Village — Schiller Park",
    "1069 Jaeger St, Columbus, OH 43206",
    39.9440,
    -82.9929,
    Circle(250.0),
    "German Village Society"
);
const COSI: Site = site!(
    "COSI",
    "333 W Broad St, Columbus, OH 43215",
    39.9598,
    -83.0071,
    Circle(200.0),
    "COSI"
);
const EXPO_CENTER: Site = site!(
    "Ohio Expo Center",
    "717 E 17th Ave, Columbus, OH 43211",
    40.0006,
    -82.9906,
    Polygon(&[
        (-450.0, -350.0),
        (450.0, -350.0),
        (450.0, 350.0),
        (-450.0, 350.0)
    ]),
    "Ohio Expo Center"
);
const CONSERVATORY: Site = site!(
    "Franklin Park Conservatory",
    "1777 E Broad St, Columbus, OH 43203",
    39.9655,
    -82.9547,
    Circle(200.0),
    "Franklin Park Conservatory"
);
const SCIOTO_MILE: Site = site!(
    "Scioto Mile — Bicentennial Park",
    "233 S Civic Center Dr, Columbus, OH 43215",
    39.9587,
    -83.0042,
    Circle(300.0),
    "Columbus Downtown Development Corp."
);
const STATEHOUSE: Site = site!(
    "Ohio Statehouse",
    "1 Capitol Square, Columbus, OH 43215",
    39.9612,
    -82.9988,
    Circle(150.0),
    "Capitol Square Review and Advisory Board"
);
const I70_BRICE: Site = site!(
    "I-70 EB work zone at Brice Rd",
    "I-70 & Brice Rd, Columbus, OH 43232",
    39.9465,
    -82.8307,
    Circle(400.0),
    "ODOT District 6"
);
const I71_HUDSON: Site = site!(
    "I-71 NB work zone at Hudson St",
    "I-71 & E Hudson St, Columbus, OH 43211",
    40.0078,
    -82.9982,
    Circle(400.0),
    "ODOT District 6"
);
const BROAD_HAGUE: Site = site!(
    "W Broad St at Hague Ave",
    "W Broad St & N Hague Ave, Columbus, OH 43204",
    39.9554,
    -83.0802,
    Circle(150.0),
    "Columbus Division of Water"
);
const KROGER: Site = site!(
    "Kroger — N High St",
    "1350 N High St, Columbus, OH 43201",
    39.9853,
    -83.0054,
    Circle(120.0),
    "Kroger"
);
const MEIJER: Site = site!(
    "Meijer — N Hamilton Rd",
    "5161 N Hamilton Rd, Columbus, OH 43230",
    40.0697,
    -82.8617,
    Circle(200.0),
    "Meijer"
);
const VINEYARD: Site = site!(
    "Vineyard Columbus",
    "6000 Cooper Rd, Westerville, OH 43081",
    40.1135,
    -82.9375,
    Circle(300.0),
    "Vineyard Columbus"
);
const CATHEDRAL: Site = site!(
    "St. Joseph Cathedral",
    "212 E Broad St, Columbus, OH 43215",
    39.9628,
    -82.9956,
    Circle(100.0),
    "St. Joseph Cathedral"
);
const BROAD_ST_PRESBYTERIAN: Site = site!(
    "Broad Street Presbyterian Church",
    "760 E Broad St, Columbus, OH 43205",
    39.9648,
    -82.9835,
    Circle(100.0),
    "Broad Street Presbyterian Church"
);
const HUNTINGTON_BANK: Site = site!(
    "Huntington Center",
    "41 S High St, Columbus, OH 43215",
    39.9612,
    -83.0004,
    Circle(100.0),
    "Huntington National Bank"
);
const FIFTH_THIRD: Site = site!(
    "Fifth Third Bank — Downtown",
    "21 E State St, Columbus, OH 43215",
    39.9606,
    -82.9995,
    Circle(100.0),
    "Fifth Third Bank"
);

/// Every site (the tests check every fence; the demo's customers own theirs).
pub const SITES: &[&Site] = &[
    &OHIO_STADIUM,
    &SCHOTTENSTEIN,
    &NATIONWIDE_ARENA,
    &LOWER_COM_FIELD,
    &HUNTINGTON_PARK,
    &CONVENTION_CENTER,
    &EASTON,
    &POLARIS,
    &SHORT_NORTH,
    &GERMAN_VILLAGE,
    &COSI,
    &EXPO_CENTER,
    &CONSERVATORY,
    &SCIOTO_MILE,
    &STATEHOUSE,
    &I70_BRICE,
    &I71_HUDSON,
    &BROAD_HAGUE,
    &KROGER,
    &MEIJER,
    &VINEYARD,
    &CATHEDRAL,
    &BROAD_ST_PRESBYTERIAN,
    &HUNTINGTON_BANK,
    &FIFTH_THIRD,
];

/// What a job asks of officers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Req {
    /// Nothing beyond a permit.
    None,
    /// Sergeant or above.
    Sergeant,
    /// The `flagger` certification.
    Flagger,
    /// The `crowd_control` certification.
    CrowdControl,
    /// The `bike` certification.
    Bike,
    /// The `motor` certification and the Traffic Bureau.
    TrafficBureauMotor,
}

/// A staged release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// Open to everyone at once.
    None,
    /// The Traffic Bureau for 24 hours first.
    TrafficBureau,
    /// The Special Events Unit for 24 hours first.
    SpecialEvents,
}

/// One job of an event.
pub struct JobSpec {
    /// Title; `{}` is replaced by the event's name (opponent, show, holiday).
    pub title: &'static str,
    /// `traffic`, `security`, `event` or `construction`.
    pub job_type: &'static str,
    /// Minutes after the event's start the shift starts (negative: before).
    pub offset_min: i64,
    /// Shift length range, hours (inclusive).
    pub hours: (i64, i64),
    /// Slots range (inclusive).
    pub slots: (i64, i64),
    /// Requirements.
    pub req: Req,
    /// Staged release (upcoming jobs only).
    pub tier: Tier,
}

/// Weekday bits, Monday = bit 0.
pub const MON: u8 = 1;
/// Tuesday.
pub const TUE: u8 = 1 << 1;
/// Wednesday.
pub const WED: u8 = 1 << 2;
/// Thursday.
pub const THU: u8 = 1 << 3;
/// Friday.
pub const FRI: u8 = 1 << 4;
/// Saturday.
pub const SAT: u8 = 1 << 5;
/// Sunday.
pub const SUN: u8 = 1 << 6;
/// Monday to Friday.
pub const WEEKDAYS: u8 = MON | TUE | WED | THU | FRI;
/// Every day.
pub const DAILY: u8 = 0x7f;

/// Month bits from `first` to `last` (1-based, inclusive; wraps past December).
pub const fn months(first: u32, last: u32) -> u16 {
    let mut bits = 0u16;
    let mut m = first;
    loop {
        bits |= 1 << m;
        if m == last {
            return bits;
        }
        m = if m == 12 { 1 } else { m + 1 };
    }
}

/// All year.
pub const ALL_YEAR: u16 = months(1, 12);

/// Something that happens at a site and needs one or more details.
pub struct EventTemplate {
    /// Where.
    pub site: &'static Site,
    /// Days of the week it happens on.
    pub days: u8,
    /// Months it happens in.
    pub months: u16,
    /// Local start times to pick from, (hour, minute).
    pub starts: &'static [(u32, u32)],
    /// Names to fill into `{}` in job titles (one is picked).
    pub names: &'static [&'static str],
    /// Relative frequency.
    pub weight: u32,
    /// The jobs it needs.
    pub jobs: &'static [JobSpec],
}

const fn job(
    title: &'static str,
    job_type: &'static str,
    offset_min: i64,
    hours: (i64, i64),
    slots: (i64, i64),
) -> JobSpec {
    JobSpec {
        title,
        job_type,
        offset_min,
        hours,
        slots,
        req: Req::None,
        tier: Tier::None,
    }
}

const fn with_req(mut j: JobSpec, req: Req) -> JobSpec {
    j.req = req;
    j
}

const fn with_tier(mut j: JobSpec, tier: Tier) -> JobSpec {
    j.tier = tier;
    j
}

const BIG_TEN: &[&str] = &[
    "Michigan",
    "Penn State",
    "Wisconsin",
    "Iowa",
    "Minnesota",
    "Rutgers",
    "Purdue",
    "Indiana",
];
const NHL: &[&str] = &[
    "Red Wings",
    "Penguins",
    "Capitals",
    "Flyers",
    "Rangers",
    "Bruins",
    "Lightning",
    "Hurricanes",
    "Devils",
    "Islanders",
    "Maple Leafs",
    "Blackhawks",
];
const MLS: &[&str] = &[
    "FC Cincinnati",
    "Chicago Fire",
    "Inter Miami",
    "Nashville SC",
    "Atlanta United",
    "Toronto FC",
];
const SHOWS: &[&str] = &[
    "Central Ohio Home & Garden Show",
    "Ohio Manufacturers' Expo",
    "Columbus Comic & Toy Expo",
    "Midwest Nursing Conference",
    "Great Lakes Tattoo Convention",
    "Ohio Bridal Show",
];
const EXPO_SHOWS: &[&str] = &[
    "Columbus RV & Camper Show",
    "Ohio Craft & Gift Show",
    "Scarlet & Gray Flea Market",
    "Ohio Winter Farm Show",
];
const NONE: &[&str] = &[""];

/// The events detail jobs come from.
pub const EVENTS: &[EventTemplate] = &[
    EventTemplate {
        site: &OHIO_STADIUM,
        days: SAT,
        months: months(9, 11),
        starts: &[(12, 0), (15, 30), (19, 30)],
        names: BIG_TEN,
        weight: 40,
        jobs: &[
            job(
                "Traffic control — Buckeyes vs. {}",
                "traffic",
                -300,
                (8, 9),
                (8, 12),
            ),
            with_req(
                job(
                    "Crowd security — Buckeyes vs. {}",
                    "security",
                    -240,
                    (7, 8),
                    (6, 10),
                ),
                Req::CrowdControl,
            ),
            with_req(
                job(
                    "Detail supervisor — Buckeyes vs. {}",
                    "event",
                    -300,
                    (9, 10),
                    (1, 2),
                ),
                Req::Sergeant,
            ),
        ],
    },
    EventTemplate {
        site: &SCHOTTENSTEIN,
        days: TUE | WED | SAT | SUN,
        months: months(11, 3),
        starts: &[(18, 0), (19, 0)],
        names: BIG_TEN,
        weight: 12,
        jobs: &[job(
            "Crowd security — Buckeyes basketball vs. {}",
            "security",
            -90,
            (4, 5),
            (2, 5),
        )],
    },
    EventTemplate {
        site: &SCHOTTENSTEIN,
        days: FRI | SAT,
        months: ALL_YEAR,
        starts: &[(19, 30)],
        names: NONE,
        weight: 6,
        jobs: &[job(
            "Traffic control — concert at the Schott",
            "traffic",
            -120,
            (5, 6),
            (3, 5),
        )],
    },
    EventTemplate {
        site: &NATIONWIDE_ARENA,
        days: TUE | THU | FRI | SAT | SUN,
        months: months(10, 4),
        starts: &[(19, 0)],
        names: NHL,
        weight: 14,
        jobs: &[
            job(
                "Crowd security — Blue Jackets vs. {}",
                "security",
                -120,
                (5, 6),
                (4, 8),
            ),
            with_tier(
                job(
                    "Traffic control — Blue Jackets vs. {}",
                    "traffic",
                    -150,
                    (5, 6),
                    (3, 6),
                ),
                Tier::TrafficBureau,
            ),
        ],
    },
    EventTemplate {
        site: &NATIONWIDE_ARENA,
        days: FRI | SAT,
        months: ALL_YEAR,
        starts: &[(19, 30), (20, 0)],
        names: NONE,
        weight: 5,
        jobs: &[with_tier(
            job(
                "Event security — concert at Nationwide Arena",
                "event",
                -150,
                (5, 6),
                (3, 6),
            ),
            Tier::SpecialEvents,
        )],
    },
    EventTemplate {
        site: &LOWER_COM_FIELD,
        days: WED | SAT,
        months: months(3, 10),
        starts: &[(19, 30)],
        names: MLS,
        weight: 10,
        jobs: &[job(
            "Traffic control — Crew vs. {}",
            "traffic",
            -150,
            (5, 6),
            (3, 6),
        )],
    },
    EventTemplate {
        site: &HUNTINGTON_PARK,
        days: TUE | WED | THU | FRI | SAT | SUN,
        months: months(4, 9),
        starts: &[(19, 5)],
        names: NONE,
        weight: 8,
        jobs: &[job(
            "Traffic control — Clippers home game",
            "traffic",
            -95,
            (4, 5),
            (2, 3),
        )],
    },
    EventTemplate {
        site: &CONVENTION_CENTER,
        days: DAILY,
        months: ALL_YEAR,
        starts: &[(8, 0), (9, 0)],
        names: SHOWS,
        weight: 8,
        jobs: &[job("Event security — {}", "event", -60, (6, 10), (2, 5))],
    },
    EventTemplate {
        site: &EASTON,
        days: FRI | SAT | SUN,
        months: ALL_YEAR,
        starts: &[(14, 0), (16, 0)],
        names: NONE,
        weight: 8,
        jobs: &[job(
            "Security patrol — Easton Town Center",
            "security",
            0,
            (6, 8),
            (2, 4),
        )],
    },
    EventTemplate {
        site: &EASTON,
        days: DAILY,
        months: months(11, 12),
        starts: &[(12, 0), (16, 0)],
        names: NONE,
        weight: 8,
        jobs: &[job(
            "Holiday shopping security — Easton Town Center",
            "security",
            0,
            (5, 8),
            (2, 4),
        )],
    },
    EventTemplate {
        site: &POLARIS,
        days: FRI | SAT | SUN,
        months: ALL_YEAR,
        starts: &[(12, 0), (15, 0)],
        names: NONE,
        weight: 6,
        jobs: &[job(
            "Security patrol — Polaris Fashion Place",
            "security",
            0,
            (6, 8),
            (1, 3),
        )],
    },
    EventTemplate {
        site: &SHORT_NORTH,
        days: FRI | SAT,
        months: ALL_YEAR,
        starts: &[(21, 0)],
        names: NONE,
        weight: 7,
        jobs: &[with_req(
            job(
                "Bike patrol — Short North weekend nightlife",
                "security",
                0,
                (6, 6),
                (2, 4),
            ),
            Req::Bike,
        )],
    },
    EventTemplate {
        site: &SHORT_NORTH,
        days: SAT,
        months: ALL_YEAR,
        starts: &[(17, 0)],
        names: NONE,
        weight: 4,
        jobs: &[with_tier(
            job(
                "Crowd control — Short North Gallery Hop",
                "event",
                0,
                (6, 6),
                (3, 6),
            ),
            Tier::SpecialEvents,
        )],
    },
    EventTemplate {
        site: &GERMAN_VILLAGE,
        days: SAT | SUN,
        months: ALL_YEAR,
        starts: &[(9, 0)],
        names: NONE,
        weight: 4,
        jobs: &[job(
            "Traffic control — German Village street closure",
            "traffic",
            0,
            (4, 6),
            (1, 2),
        )],
    },
    EventTemplate {
        site: &COSI,
        days: TUE | WED | THU,
        months: ALL_YEAR,
        starts: &[(8, 0)],
        names: NONE,
        weight: 4,
        jobs: &[job(
            "Traffic control — COSI school field trips",
            "traffic",
            0,
            (4, 4),
            (1, 2),
        )],
    },
    EventTemplate {
        site: &COSI,
        days: FRI,
        months: ALL_YEAR,
        starts: &[(18, 0)],
        names: NONE,
        weight: 3,
        jobs: &[job(
            "Event security — COSI After Dark",
            "security",
            0,
            (5, 5),
            (2, 3),
        )],
    },
    EventTemplate {
        site: &EXPO_CENTER,
        days: SAT | SUN,
        months: ALL_YEAR,
        starts: &[(8, 0)],
        names: EXPO_SHOWS,
        weight: 6,
        jobs: &[job(
            "Traffic control — {} at the Expo Center",
            "traffic",
            -60,
            (8, 10),
            (3, 6),
        )],
    },
    EventTemplate {
        site: &CONSERVATORY,
        days: THU | FRI | SAT | SUN,
        months: months(11, 12),
        starts: &[(17, 0)],
        names: NONE,
        weight: 5,
        jobs: &[job(
            "Traffic control — Conservatory holiday lights",
            "traffic",
            0,
            (5, 5),
            (1, 2),
        )],
    },
    EventTemplate {
        site: &CONSERVATORY,
        days: SAT,
        months: ALL_YEAR,
        starts: &[(16, 0)],
        names: NONE,
        weight: 3,
        jobs: &[job(
            "Event security — wedding at the Conservatory",
            "security",
            0,
            (6, 6),
            (1, 2),
        )],
    },
    EventTemplate {
        site: &SCIOTO_MILE,
        days: SAT | SUN,
        months: months(5, 10),
        starts: &[(10, 0), (12, 0)],
        names: NONE,
        weight: 6,
        jobs: &[
            with_req(
                job(
                    "Crowd security — Scioto Mile festival",
                    "event",
                    -60,
                    (8, 9),
                    (4, 8),
                ),
                Req::CrowdControl,
            ),
            with_req(
                job(
                    "Detail supervisor — Scioto Mile festival",
                    "event",
                    -60,
                    (9, 9),
                    (1, 1),
                ),
                Req::Sergeant,
            ),
        ],
    },
    EventTemplate {
        site: &STATEHOUSE,
        days: WEEKDAYS,
        months: ALL_YEAR,
        starts: &[(10, 0)],
        names: NONE,
        weight: 4,
        jobs: &[with_tier(
            with_req(
                job(
                    "Motorcade escort — Ohio Statehouse event",
                    "traffic",
                    -60,
                    (4, 4),
                    (2, 4),
                ),
                Req::TrafficBureauMotor,
            ),
            Tier::TrafficBureau,
        )],
    },
    EventTemplate {
        site: &I70_BRICE,
        days: MON | TUE | WED | THU,
        months: ALL_YEAR,
        starts: &[(20, 0), (21, 0)],
        names: NONE,
        weight: 7,
        jobs: &[with_req(
            job(
                "Work zone traffic control — I-70 EB lane closure",
                "construction",
                0,
                (8, 10),
                (2, 4),
            ),
            Req::Flagger,
        )],
    },
    EventTemplate {
        site: &I71_HUDSON,
        days: MON | TUE | WED | THU,
        months: ALL_YEAR,
        starts: &[(21, 0)],
        names: NONE,
        weight: 6,
        jobs: &[job(
            "Work zone traffic control — I-71 NB lane closure",
            "construction",
            0,
            (8, 8),
            (2, 3),
        )],
    },
    EventTemplate {
        site: &BROAD_HAGUE,
        days: WEEKDAYS,
        months: ALL_YEAR,
        starts: &[(7, 0)],
        names: NONE,
        weight: 5,
        jobs: &[with_req(
            job(
                "Flagging — W Broad St water main repair",
                "construction",
                0,
                (8, 10),
                (1, 2),
            ),
            Req::Flagger,
        )],
    },
    EventTemplate {
        site: &KROGER,
        days: DAILY,
        months: ALL_YEAR,
        starts: &[(16, 0)],
        names: NONE,
        weight: 5,
        jobs: &[job(
            "Store security — Kroger N High St",
            "security",
            0,
            (6, 6),
            (1, 1),
        )],
    },
    EventTemplate {
        site: &MEIJER,
        days: FRI | SAT | SUN,
        months: ALL_YEAR,
        starts: &[(14, 0)],
        names: NONE,
        weight: 4,
        jobs: &[job(
            "Store security — Meijer N Hamilton Rd",
            "security",
            0,
            (6, 6),
            (1, 1),
        )],
    },
    EventTemplate {
        site: &VINEYARD,
        days: SUN,
        months: ALL_YEAR,
        starts: &[(8, 0)],
        names: NONE,
        weight: 8,
        jobs: &[job(
            "Sunday traffic control — Vineyard Columbus",
            "traffic",
            0,
            (5, 5),
            (2, 3),
        )],
    },
    EventTemplate {
        site: &CATHEDRAL,
        days: SUN,
        months: ALL_YEAR,
        starts: &[(7, 0)],
        names: NONE,
        weight: 6,
        jobs: &[job(
            "Sunday traffic control — St. Joseph Cathedral",
            "traffic",
            0,
            (5, 5),
            (1, 1),
        )],
    },
    EventTemplate {
        site: &BROAD_ST_PRESBYTERIAN,
        days: SUN,
        months: ALL_YEAR,
        starts: &[(9, 0)],
        names: NONE,
        weight: 5,
        jobs: &[job(
            "Sunday traffic control — Broad Street Presbyterian",
            "traffic",
            0,
            (4, 4),
            (1, 1),
        )],
    },
    EventTemplate {
        site: &HUNTINGTON_BANK,
        days: WEEKDAYS,
        months: ALL_YEAR,
        starts: &[(9, 0)],
        names: NONE,
        weight: 4,
        jobs: &[job(
            "Bank lobby security — Huntington Center",
            "security",
            0,
            (8, 8),
            (1, 1),
        )],
    },
    EventTemplate {
        site: &FIFTH_THIRD,
        days: FRI,
        months: ALL_YEAR,
        starts: &[(8, 0)],
        names: NONE,
        weight: 3,
        jobs: &[job(
            "Cash delivery escort — Fifth Third Bank downtown",
            "security",
            0,
            (4, 4),
            (1, 2),
        )],
    },
];

/// Events held on public holidays; `{}` is the holiday's name.
pub const HOLIDAY_EVENTS: &[EventTemplate] = &[
    EventTemplate {
        site: &SCIOTO_MILE,
        days: DAILY,
        months: ALL_YEAR,
        starts: &[(8, 0)],
        names: NONE,
        weight: 1,
        jobs: &[job(
            "Traffic control — {} road race",
            "traffic",
            -90,
            (5, 5),
            (4, 8),
        )],
    },
    EventTemplate {
        site: &VINEYARD,
        days: DAILY,
        months: ALL_YEAR,
        starts: &[(9, 0)],
        names: NONE,
        weight: 1,
        jobs: &[job(
            "Traffic control — {} services",
            "traffic",
            -60,
            (4, 4),
            (2, 2),
        )],
    },
    EventTemplate {
        site: &KROGER,
        days: DAILY,
        months: ALL_YEAR,
        starts: &[(7, 0)],
        names: NONE,
        weight: 1,
        jobs: &[job(
            "Store security — {} grocery rush",
            "security",
            0,
            (6, 6),
            (1, 1),
        )],
    },
];
