"""Word pools for realistic generated data, shared by the simulated providers."""

FIRST_NAMES = (
    "Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger", "Radia",
    "Tim", "Hedy", "John", "Katherine", "Donald", "Sophie", "Niklaus", "Anita", "Guido", "Lea", "Omar",
    "Priya", "Mateo", "Yuki", "Chloe", "Ivan", "Amara", "Lars", "Noor",
)
LAST_NAMES = (
    "Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen",
    "Dijkstra", "Perlman", "Berners-Lee", "Lamarr", "McCarthy", "Johnson", "Knuth", "Wilson", "Wirth",
    "Borg", "van Rossum", "Moreau", "Haddad", "Raman", "Garcia", "Tanaka", "Martin", "Petrov", "Okafor",
    "Nilsson", "Khan",
)
COMPANY_WORDS = (
    "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Tyrell", "Cyberdyne", "Soylent",
    "Hooli", "Vandelay", "Aperture", "Massive", "Dynamic", "Blue", "Northwind", "Contoso", "Fabrikam",
    "Litware", "Tailspin", "Proseware", "Adatum", "Fourth", "Coho", "Lucerne", "Wingtip", "Alpine",
)
COMPANY_SUFFIXES = ("Inc", "LLC", "Ltd", "GmbH", "Group", "Holdings", "Labs", "Systems", "Partners", "Co")
INDUSTRIES = (
    "Agriculture", "Banking", "Biotechnology", "Construction", "Consulting", "Education", "Electronics",
    "Energy", "Engineering", "Finance", "Healthcare", "Hospitality", "Insurance", "Manufacturing", "Media",
    "Retail", "Technology", "Telecommunications", "Transportation", "Utilities",
)
CITIES = (
    ("Paris", "France"), ("Berlin", "Germany"), ("London", "United Kingdom"), ("Madrid", "Spain"),
    ("San Francisco", "United States"), ("New York", "United States"), ("Toronto", "Canada"),
    ("Tokyo", "Japan"), ("Sydney", "Australia"), ("Lagos", "Nigeria"), ("Mumbai", "India"),
    ("Sao Paulo", "Brazil"), ("Stockholm", "Sweden"), ("Amsterdam", "Netherlands"),
)
TITLES = ("CEO", "CTO", "VP Sales", "Engineer", "Buyer", "Office Manager", "Analyst", "Director", "Consultant")
ACCOUNT_TYPES = ("Prospect", "Customer - Direct", "Customer - Channel", "Partner", "Other")
STAGES = ("Prospecting", "Qualification", "Proposal/Price Quote", "Negotiation/Review", "Closed Won",
          "Closed Lost")
LIFECYCLE_STAGES = ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
                    "customer")
