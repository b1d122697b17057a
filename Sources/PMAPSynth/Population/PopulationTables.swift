/// Reference tables the generator draws from. Names and places are common public ones; the
/// environmental values are invented for the synthetic population (not measurements).
enum PopulationTables {
    static let maleNames = [
        "James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas", "Charles",
        "Christopher",
        "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven", "Paul", "Andrew", "Joshua", "Kenneth",
        "Kevin",
        "Brian", "George", "Timothy", "Ronald", "Edward", "Jason", "Jeffrey", "Ryan", "Jacob", "Gary",
        "Nicholas",
        "Eric", "Jonathan", "Stephen", "Larry", "Justin", "Scott", "Brandon", "José", "Luis", "Wei", "Jamal",
        "Darnell",
    ]
    static let femaleNames = [
        "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen",
        "Lisa",
        "Nancy", "Betty", "Margaret", "Sandra", "Ashley", "Kimberly", "Emily", "Donna", "Michelle", "Carol",
        "Amanda",
        "Dorothy", "Melissa", "Deborah", "Stephanie", "Rebecca", "Sharon", "Laura", "Cynthia", "Kathleen",
        "Amy",
        "Angela", "Shirley", "Anna", "Brenda", "Pamela", "Emma", "Nicole", "Helen", "María", "Guadalupe",
        "Mei",
        "Aaliyah", "Keisha",
    ]
    static let familyNames = [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
        "Martinez",
        "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
        "Martin", "Lee",
        "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker",
        "Young",
        "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson",
        "Baker",
        "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "O'Brien", "O'Connor", "García",
        "Muñoz",
        "Smith-Jones", "Chen", "Wang", "Kim", "Patel", "Okafor",
    ]
    static let streets = [
        "Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Park Ave", "Charles St", "Calvert St", "St. Paul St",
        "Elm St",
        "Washington Blvd", "Lincoln Ave", "Greenmount Ave", "Harford Rd", "York Rd", "Light St",
        "Eastern Ave",
        "Broadway", "Pratt St & Gay St", "Orleans St", "Wolfe St",
    ]

    /// A place: city, state, ZIP code; the ZIP3's environment lives in ``environment``.
    struct Place {
        let city: String
        let state: String
        let zip: String
        /// Relative share of patients living there.
        let weight: Double
    }

    static let places: [Place] = [
        Place(city: "Baltimore", state: "MD", zip: "21205", weight: 14),
        Place(city: "Baltimore", state: "MD", zip: "21218", weight: 10),
        Place(city: "Baltimore", state: "MD", zip: "21224", weight: 8),
        Place(city: "Towson", state: "MD", zip: "21204", weight: 6),
        Place(city: "Columbia", state: "MD", zip: "21044", weight: 6),
        Place(city: "Annapolis", state: "MD", zip: "21401", weight: 4),
        Place(city: "Washington", state: "DC", zip: "20011", weight: 6),
        Place(city: "Silver Spring", state: "MD", zip: "20901", weight: 5),
        Place(city: "Bethesda", state: "MD", zip: "20814", weight: 4),
        Place(city: "Frederick", state: "MD", zip: "21701", weight: 3),
        Place(city: "Hagerstown", state: "MD", zip: "21740", weight: 2),
        Place(city: "Salisbury", state: "MD", zip: "21801", weight: 2),
        Place(city: "Wilmington", state: "DE", zip: "19801", weight: 3),
        Place(city: "York", state: "PA", zip: "17401", weight: 3),
        Place(city: "Philadelphia", state: "PA", zip: "19104", weight: 3),
        Place(city: "Pittsburgh", state: "PA", zip: "15213", weight: 1),
        Place(city: "Richmond", state: "VA", zip: "23220", weight: 2),
        Place(city: "Arlington", state: "VA", zip: "22201", weight: 3),
        Place(city: "Newport", state: "VT", zip: "05855", weight: 0.5),
        Place(city: "Valentine", state: "NE", zip: "69201", weight: 0.3),
        Place(city: "New York", state: "NY", zip: "10027", weight: 1),
        Place(city: "Houston", state: "TX", zip: "77030", weight: 0.7),
        Place(city: "Los Angeles", state: "CA", zip: "90033", weight: 0.7),
        Place(city: "Denver", state: "CO", zip: "80206", weight: 0.5),
    ]

    /// Annual environment of one ZIP3 (synthetic values).
    struct Environment {
        let zip3: String
        /// PM2.5 annual mean, µg/m³, in the first year; it drifts down over the years.
        let pm25: Double
        /// Area deprivation index, national percentile 1–100.
        let adi: Int
    }

    static let environment: [Environment] = [
        Environment(zip3: "212", pm25: 10.9, adi: 78), Environment(zip3: "210", pm25: 8.4, adi: 22),
        Environment(zip3: "214", pm25: 8.1, adi: 30), Environment(zip3: "200", pm25: 10.5, adi: 55),
        Environment(zip3: "209", pm25: 9.1, adi: 35), Environment(zip3: "208", pm25: 8.8, adi: 9),
        Environment(zip3: "217", pm25: 8.6, adi: 41),
        Environment(zip3: "218", pm25: 7.6, adi: 62), Environment(zip3: "198", pm25: 10.2, adi: 66),
        Environment(zip3: "174", pm25: 10.1, adi: 58), Environment(zip3: "191", pm25: 11.2, adi: 71),
        Environment(zip3: "152", pm25: 10.8, adi: 60), Environment(zip3: "232", pm25: 9.0, adi: 57),
        Environment(zip3: "222", pm25: 9.3, adi: 8), Environment(zip3: "058", pm25: 5.9, adi: 74),
        Environment(zip3: "692", pm25: 5.2, adi: 69), Environment(zip3: "100", pm25: 10.3, adi: 63),
        Environment(zip3: "770", pm25: 10.6, adi: 52), Environment(zip3: "900", pm25: 12.6, adi: 80),
        Environment(zip3: "802", pm25: 8.0, adi: 25),
    ]

    /// The environment of a ZIP3.
    static func environment(zip3: String) -> Environment {
        environment.first { $0.zip3 == zip3 } ?? Environment(zip3: zip3, pm25: 8.0, adi: 50)
    }

    /// A ZIP3 is in the high-exposure group when its PM2.5 is at least this (µg/m³).
    static let highPM25Threshold = 10.0
}
