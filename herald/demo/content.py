"""Original demo stories for `herald seed_demo`: templates filled from a seeded random
generator.

Every word was written for Herald; the people and organisations are invented, and
only the city and country passed in are real. A template is one string of fields
split by "|": headline variants (split by "~"), standfirst, three body paragraphs and
comma-separated tags. Each story adds one to three of its section's background
paragraphs, so bodies run to four to six paragraphs.
"""

import random
from dataclasses import dataclass

SECTION_SLUGS = (
    "world",
    "business",
    "politics",
    "technology",
    "sport",
    "environment",
    "health",
    "culture",
)


@dataclass(frozen=True)
class DemoStory:
    headline: str  # <= 120 chars, sentence case like a real news site
    standfirst: str  # one sentence, <= 300 chars
    paragraphs: list[str]  # 4-6 plain-text paragraphs (no HTML), each 30-90 words
    tags: list[str]  # 1-3 short topic tags, e.g. ["Rail", "Infrastructure"]


def _pool(text: str) -> tuple[str, ...]:
    return tuple(text.split("; "))


_NAMES = _pool(
    "Haruka Tanabe; Kenji Morimoto; Yui Shibata; Daisuke Arakawa; Priya Raghunathan;"
    " Arjun Mehta; Kavita Deshpande; Rohan Iyer; Layla Haddad; Omar Al-Rashidi; Yousef"
    " Khalil; Nour El-Amin; Claire Tremblay; Liam Gallant; Megan Fraser; Etienne"
    " Bouchard; Wanjiru Kamau; Baraka Otieno; Amani Mwangi; Halima Ochieng; Harriet"
    " Ashworth; Tom Pennington; Fiona Maclean; Gareth Pryce; Lucas Ferreira; Min-ji"
    " Seo; Chiamaka Obi; Sofia Ortega; Jonas Weber; Anjali Nair; Tariq Mansour; Aiko"
    " Hayashida"
)
_DAYS = _pool("Monday; Tuesday; Wednesday; Thursday; Friday; Saturday")
_MONTHS = _pool("March; April; May; June; September; October; November")
_NICKNAMES = _pool("Falcons; Mariners; Comets; Harriers; Kestrels; Lions")
_RIVALS = _pool(
    "Eastbridge United; Port Alder Athletic; Millbrook Wanderers; Westhaven City;"
    " Northgate Thunder; Corran Vale Rovers; Halden Bay FC"
)
_MINUTES = _pool("88th; 89th; 90th; 91st; 92nd; 93rd; 94th")
_PLACES = _pool("third; fourth; fifth; sixth; seventh")
_ORGS = {
    "world": _pool(
        "the Coastal Nations Forum; the Regional Water Commission; the International"
        " Relief Alliance; the Meridian Cooperation Council; the Continental Dialogue"
        " Group; the Humanitarian Response Network"
    ),
    "business": _pool(
        "Kestrel Industries; Bluewren Holdings; Marrow and Pine; Halcyon"
        " Manufacturing; Ardent Works; Larkspur Enterprises; Northcote Vale Group;"
        " Sunmere Group"
    ),
    "politics": _pool(
        "the Common Ground Party; the Civic Renewal Alliance; the United Progress"
        " Party; the Green Future Party; the Social Commonwealth Party; the Citizens'"
        " Forward Movement"
    ),
    "technology": _pool(
        "Kestrel Semiconductors; Lumiq Grid Labs; Halvane Robotics; Brightwick"
        " Software; Quillon Data; Saffron Circuit Works; Tessellate Technologies;"
        " Orbital Nine"
    ),
    "sport": _pool(
        "the National Sports Council; the Regional Sports Authority; the Youth Sport"
        " Foundation; the Community Games Trust; the Grassroots Football Fund"
    ),
    "environment": _pool(
        "the Green Corridors Trust; the Coastal Wildlife Society; the Clean Air"
        " Council; the Wetlands Conservation Fund; the Institute for Climate"
        " Adaptation"
    ),
    "health": _pool(
        "the Regional Health Board; the Institute for Public Health Research; the"
        " Heartwell Foundation; the Centre for Population Health; the Wellspring"
        " Medical Trust"
    ),
    "culture": _pool(
        "the Lantern House Gallery; the Old Granary Arts Centre; the Meridian Museum"
        " of Art; the Cedar Hall Cultural Centre; the Foundry Street Playhouse"
    ),
}
_THINGS = {
    "world": _pool(
        "water sharing; fisheries; maritime safety; disaster preparedness;"
        " cross-border trade; migrant labour"
    ),
    "business": _pool(
        "electric buses; solar panels; frozen meals; medical devices; recycled"
        " packaging; bicycle components; heat pumps"
    ),
    "politics": _pool(
        "housing; public transport; childcare; water charges; school meals; road safety"
    ),
    "technology": _pool(
        "battery management; machine translation; drone navigation; medical imaging;"
        " satellite imaging; speech recognition"
    ),
    "sport": _pool(
        "400 metres; 1,500 metres; 5,000 metres; triple jump; high jump; 400 metres"
        " hurdles"
    ),
    "environment": _pool(
        "otters; kingfishers; spoonbills; herons; freshwater turtles; bitterns"
    ),
    "health": _pool(
        "type 2 diabetes; high blood pressure; heart disease; dementia; chronic back"
        " pain; depression"
    ),
    "culture": _pool(
        "jazz; puppet theatre; documentary film; contemporary dance; folk music;"
        " street photography"
    ),
}

_T_WORLD = (
    "{city} to host regional talks on {thing}~{Org} to convene {thing} talks in"
    " {city}|Delegations from {n} countries are expected in {city} next {day} for the"
    " first round of talks convened by {org} since last year's stalemate.|Officials in"
    " {country} confirmed that {city} will host a two-day meeting on {thing} next"
    " {day}, bringing together ministers and senior diplomats from {n} governments."
    " The gathering, organised by {org}, is the first of its kind in the city and"
    " follows months of quiet preparatory work between foreign ministries.|“Nobody"
    " expects every disagreement to be settled in two days, but getting everyone into"
    " the same room is already progress,” said {name}, a senior adviser at {org}. “The"
    " delegations know their citizens are watching, and that the cost of doing nothing"
    " keeps rising.”|Security around the conference venue will be tightened from"
    " {day2}, and several central roads in {city} are due to close for short periods."
    " Hotel operators said bookings were up by around {pct}% on a typical week in"
    " {month}.|Diplomacy,Summits",
    "Aid convoys reach flood-hit villages outside {city}~Thousands still in shelters"
    " as floodwaters recede near {city}|Relief workers say around {big} people remain"
    " in temporary shelters after days of heavy rain swept across parts of"
    " {country}.|The first convoys carrying food, clean water and medical supplies"
    " reached villages north of {city} on {day}, after floodwaters that had cut off"
    " several roads began to recede. Local authorities estimate that around {big}"
    " people have been displaced, many of them sheltering in schools and community"
    " halls.|“The water has gone down, but the damage it left behind is enormous,”"
    " said {name}, who is coordinating the response for {org}. “Families have lost"
    " livestock, stored grain and in many cases the walls of their homes. Our priority"
    " this week is preventing disease in the shelters.”|Engineers are assessing {n}"
    " bridges in the area for damage. Forecasters in {country} have warned that"
    " further showers are possible later in the week, although they are expected to be"
    " lighter than the storms that caused the flooding.|Floods,Humanitarian aid",
    "{country} and neighbours sign {thing} accord in {city}|The agreement, reached"
    " after {n} rounds of negotiation, commits signatories to sharing data and meeting"
    " every six months under the supervision of {org}.|Ministers from {country} and"
    " several neighbouring states signed an agreement on {thing} at a ceremony in"
    " {city} on {day}. The text, which runs to more than {n2} pages, sets out common"
    " standards, a joint monitoring body and a dispute procedure that negotiators hope"
    " will prevent the quarrels of recent years.|“This is not a glamorous document,"
    " but it is a practical one,” said {name}, the chief negotiator for {org}. “It"
    " gives officials on every side a phone number to call before a problem turns into"
    " a crisis, and that alone will save time, money and goodwill.”|The agreement must"
    " still be ratified by national parliaments, which diplomats expect to take up to"
    " a year. Business groups in {city} welcomed the deal, while some opposition"
    " politicians said they would study the small print before deciding whether to"
    " support it.|Diplomacy,Trade",
    "New visa centre in {city} promises shorter waits for travellers~Visa waits set to"
    " fall by {pct}% as {city} centre opens|The centre, run with support from {org},"
    " will handle applications from students, workers and tourists and aims to cut"
    " waiting times by {pct}%.|A new visa processing centre opened in {city} on {day},"
    " with officials saying it can handle up to {big} applications a month from across"
    " {country}. Applicants previously faced journeys of several hours and waits of up"
    " to {n} weeks to submit documents and give fingerprints.|“We heard the same"
    " complaint again and again: the process was slow, expensive and confusing,” said"
    " {name}, director of operations at the centre. “This is our answer. Appointments"
    " can be booked online, staff speak several languages and most decisions will be"
    " issued within ten working days.”|Student groups in {city} welcomed the opening,"
    " noting that some young people had missed the start of courses abroad because of"
    " delays. The centre will open six days a week, with longer evening hours during"
    " the busy summer period.|Migration,Travel",
    "{city} stages emergency drill with international rescue teams~Rescue teams from"
    " {n} countries test earthquake plans in {city}|More than {big} emergency workers"
    " from {n} countries took part in an exercise simulating a major earthquake,"
    " organised by {org}.|Sirens sounded across {city} on {day} morning as rescue"
    " teams from {country} and {n} other countries began a 36-hour exercise simulating"
    " the aftermath of a powerful earthquake. Volunteers playing injured residents"
    " were placed inside collapsed buildings constructed for the drill on the edge of"
    " the city.|“The first hours after a disaster decide how many lives are saved, and"
    " those hours go better when teams have already worked together,” said {name} of"
    " {org}. “Today we found gaps in radio communication and in how we share maps."
    " That is exactly why we practise.”|Organisers said a full report would be"
    " published within {k} weeks, with recommendations for hospitals, schools and"
    " transport operators. Residents had been warned in advance, although some said"
    " the helicopters over the rooftops were still unsettling.|Emergencies,Disaster"
    " planning",
)

_T_BUSINESS = (
    "{Org} to build {money} factory near {city}|The company says the plant will create"
    " around {big} jobs at full production, making it one of the largest private"
    " investments in the region this decade.|{Org} announced on {day} that it will"
    " build a factory on the outskirts of {city} to make {thing}, with construction"
    " due to begin in {month}. The {money} site was chosen ahead of rival locations in"
    " {n} other cities, according to people familiar with the decision.|“{city} gives"
    " us skilled workers, good transport links and a local government that answers the"
    " phone,” said {name}, the company's chief operating officer. “We expect most of"
    " our suppliers to come from within {country}, so the benefits should spread well"
    " beyond the factory gates.”|Local officials said they would fast-track planning"
    " approval and pay for a new road junction to serve the site. Some residents"
    " living nearby have raised concerns about traffic and noise, and a public"
    " consultation is scheduled for next month.|Manufacturing,Jobs,Investment",
    "{Org} profits jump {pct}% as demand for {thing} grows|The {city}-based company"
    " raised its full-year forecast and said it would hire more staff, sending its"
    " shares higher in early trading.|{Org} reported a {pct}% rise in quarterly"
    " operating profit on {day}, helped by strong demand for {thing} at home in"
    " {country} and in export markets. Revenue rose to {money}, ahead of the"
    " expectations of most analysts who follow the company.|“Customers are ordering"
    " earlier and in larger volumes than at any point in the past three years,” said"
    " {name}, the chief financial officer. “We are being careful, because energy and"
    " raw material costs remain high, but we now see a clear path to growth next"
    " year.”|Shares in the company rose by about {pct3}% in early trading. Analysts"
    " cautioned that part of the improvement reflected one-off orders, and said they"
    " would watch closely for signs that demand is slowing in the second"
    " half.|Earnings,Markets",
    "{Org} to cut {few} jobs as it scales back {thing}|Unions in {city} called the"
    " decision a blow to the local economy and said they would seek urgent talks with"
    " management.|{Org} said on {day} that it plans to cut about {few} jobs over the"
    " next {n} months in a restructuring that will see it scale back production of"
    " {thing}. Most of the losses will fall at its main site near {city}, where the"
    " company has operated for decades.|“These are difficult decisions, and we do not"
    " take them lightly,” said {name}, the chief executive. “We will offer retraining,"
    " early retirement and transfers wherever possible, but the market has changed and"
    " we must change with it if the business is to have a future.”|{name2}, a regional"
    " organiser for the workers' union, said members were shocked by the scale of the"
    " cuts. “People have given their working lives to this company,” {surname2} said."
    " “We want every alternative examined before a single notice is"
    " issued.”|Jobs,Unions",
    "{Org} agrees {money} deal to buy rival {Org2}|The takeover, which still needs"
    " approval from competition regulators in {country}, would create one of the"
    " region's largest makers of {thing}.|{Org} has agreed to buy {org2} in a deal"
    " worth {money}, the two companies said on {day}. The combined business would"
    " employ about {big} people and have its headquarters in {city}, where both firms"
    " already run large sites.|“Bringing these two companies together lets us invest"
    " more in research and serve customers faster,” said {name}, who will lead the"
    " merged group. “There is very little overlap in where we sell, so this is a story"
    " about growth rather than cost-cutting.”|Regulators are expected to examine the"
    " deal closely, and a decision is unlikely before {month}. Unions said they had"
    " been promised no compulsory job losses for at least two years, but they want"
    " that commitment in writing.|Mergers,Companies",
    "{city} start-up raises {cash} to expand production~Investors back {Org} with"
    " {cash} as {thing} orders grow|Founded {n} years ago in a shared office, {org}"
    " says the money will let it double its workforce and reach new markets.|{Org}, a"
    " {city} company that began life in a shared workspace, has raised {cash} from a"
    " group of investors to expand production of {thing}. The funding round, announced"
    " on {day}, is one of the larger deals for a young company in {country} this"
    " year.|“When we started, three of us were building prototypes on a kitchen"
    " table,” said {name}, the co-founder and chief executive. “Now we have customers"
    " in {n} countries, and this investment means we can stop turning down orders"
    " because we cannot make enough.”|The company plans to hire around {few} people"
    " over the next two years, mostly engineers and sales staff, and is looking for"
    " larger premises in {city}. Investors said they were drawn by its growing order"
    " book and the founders' focus on keeping costs down.|Start-ups,Investment",
)

_T_POLITICS = (
    "{city} council approves budget with extra money for {thing}|The spending plan"
    " passed by {yes} votes to {no} after a late-night session, with opposition"
    " members warning that local taxes may rise next year.|Councillors in {city}"
    " approved the annual budget on {day} after more than eight hours of debate,"
    " setting aside an additional {cash} for {thing}. The plan was backed by members"
    " of {org} and several independents, and passed by {yes} votes to {no}.|“Residents"
    " told us very clearly what they wanted, and this budget delivers it,” said"
    " {name}, the council's finance chief. “We have found savings in administration"
    " and office space so that we can put money where people will actually notice a"
    " difference.”|Opposition councillors from {org2} argued that the figures relied"
    " on optimistic forecasts. “This budget looks good for one year, but the bill will"
    " come later,” said {name2}, who leads the group. “We will be watching every line"
    " of it.”|Local government,Budgets",
    "{Org} candidate wins closely fought {city} by-election|{name} won by {few} votes"
    " in a contest both main parties treated as a test of public opinion ahead of next"
    " year's national election.|{name} of {org} has won the by-election in {city},"
    " securing a margin of {few} votes after a recount that lasted into the early"
    " hours of {day}. Turnout was {pct2}%, higher than many observers in {country} had"
    " expected for a mid-term contest.|“People here want someone who will answer their"
    " emails, fix the potholes and stand up for them in the capital,” {surname} told"
    " supporters at the count. “That is what I promised, and that is what I intend to"
    " do from tomorrow morning.”|The defeated candidate from {org2}, {name2}, offered"
    " congratulations but said the narrow result showed the seat was still"
    " competitive. Strategists said {thing} and the cost of living had dominated"
    " doorstep conversations during the campaign.|Elections",
    "Deputy minister from {city} resigns over contracts row~{city} lawmaker {name}"
    " quits ministry post over untendered contract|{name} stepped down after reports"
    " that a ministry contract was awarded without competitive tender, though"
    " {surname} denies any wrongdoing.|{name}, a deputy minister and long-serving"
    " member of parliament for {city}, resigned on {day} after days of pressure over a"
    " {cash} contract awarded by the ministry without an open tender. The government"
    " of {country} said the resignation had been accepted and that an independent"
    " review would go ahead.|“I have done nothing wrong, but I will not allow this"
    " matter to distract from the work of government,” {surname} said in a written"
    " statement. “I will cooperate fully with the review, and I am confident it will"
    " clear my name.”|Members of {org2} said the resignation did not go far enough and"
    " called for a parliamentary inquiry. Transparency campaigners noted that similar"
    " concerns had been raised about other contracts, and urged ministers to publish"
    " every deal above a fixed value.|Government,Accountability",
    "Government unveils {thing} plan at launch in {city}|Ministers say the proposals,"
    " which include {money} in new spending over five years, will go to public"
    " consultation before any law is drafted.|The government of {country} set out"
    " plans on {day} to overhaul its approach to {thing}, choosing {city} for the"
    " launch of a policy paper that runs to more than {n2} pages. The proposals"
    " include {money} in extra funding over five years and new powers for local"
    " councils.|“For too long, decisions about {thing} have been made far away from"
    " the people they affect,” said {name}, the minister responsible. “This plan puts"
    " more control in the hands of cities like {city}, and it comes with the money to"
    " make that control meaningful.”|{Org2} welcomed the direction of the plan but"
    " questioned whether the funding would be enough. Local leaders in {city} said"
    " they would respond in detail during the twelve-week consultation, which opens in"
    " {month}.|Policy,Government",
    "Petition for {city} referendum on {thing} passes {big} signatures~{big} sign call"
    " for public vote on {thing} in {city}|Campaigners say the level of support means"
    " councillors must now hold a formal debate on whether to put the question to"
    " voters.|A petition demanding a local referendum on {thing} in {city} passed"
    " {big} signatures on {day}, comfortably above the threshold at which the council"
    " must debate the issue. Organisers gathered names at markets, railway stations"
    " and schools over {n} weeks.|“We are not asking the council to agree with us,"
    " only to let the public decide,” said {name}, one of the organisers. “This has"
    " become the most talked-about issue in {city}, and people feel strongly that they"
    " deserve a direct say.”|Members of {org} have said they are open to the idea,"
    " while {org2} has argued that a referendum would be costly and divisive. The"
    " council debate is expected in {month}, once officials have checked the"
    " signatures.|Referendums,Local government",
)

_T_TECHNOLOGY = (
    "{Org} opens {thing} research lab in {city}|The company plans to employ {few}"
    " researchers at the site within three years and will work with universities"
    " across {country}.|{Org} opened a research laboratory focused on {thing} in"
    " {city} on {day}, its first facility of this kind outside its home market. The"
    " lab will start with about {n2} staff, most of them recruited locally, and is"
    " expected to grow to {few} within three years.|“{city} has some of the best"
    " engineering graduates we have seen anywhere, and until now many have had to"
    " leave to do this kind of work,” said {name}, who will run the lab. “We want them"
    " to build world-class technology without packing a suitcase.”|The company has"
    " signed agreements with {n} universities to fund doctoral students and share"
    " equipment. Officials in {city} hope the investment will encourage other"
    " technology firms to follow, adding to a cluster of start-ups that has grown up"
    " in the city.|Research,Jobs",
    "Cyber attack disrupts {city} council services for {k} days~{city} council still"
    " offline {k} days after cyber attack|Residents could not pay bills or book"
    " appointments online, and officials are still checking whether personal data was"
    " accessed.|Online services run by the council in {city} were taken offline on"
    " {day} after what officials described as a sophisticated cyber attack on its"
    " computer systems. Residents have been unable to pay local taxes, report faults"
    " or book appointments online, and telephone lines have been overwhelmed.|“We"
    " acted quickly to isolate the affected systems, which limited the damage, but"
    " restoring everything safely takes time,” said {name}, the council's head of"
    " digital services. “We are working with specialists from {org}, and we will tell"
    " residents directly if their information has been affected.”|Experts say local"
    " authorities in {country} have become frequent targets because they hold large"
    " amounts of personal data but often rely on older systems. National guidance"
    " issued last year urged councils to test their backups regularly.|Cyber"
    " security,Local government",
    "Delivery robots take to the pavements in {city} trial~{Org} sends delivery robots"
    " on to {city} streets|Around {n2} small self-driving robots will carry groceries"
    " and parcels in {k} neighbourhoods for six months under a scheme run by"
    " {org}.|Small six-wheeled delivery robots began trundling along the pavements of"
    " {city} on {day} as part of a six-month trial run by {org}. The machines, each"
    " about the size of a suitcase, can carry up to {n} kilograms and will deliver"
    " groceries and parcels within a few kilometres of local shops.|“The robots are"
    " slow and polite by design. They stop for pedestrians, wait at crossings and call"
    " a human operator if they get confused,” said {name}, who leads the project. “We"
    " want people in {city} to find them boring within a week, because boring means"
    " safe.”|Disability campaigners have asked for assurances that the robots will not"
    " block ramps or narrow pavements, and the city has set rules on where they may"
    " operate. If the trial succeeds, {org} hopes to extend it to other cities in"
    " {country} next year.|Robotics,Delivery",
    "New app promises live journey planning across {city}'s public transport~{Org} app"
    " puts {city} buses, trains and bikes on one ticket|The free app, built by {org}"
    " with the city's transport authority, combines buses, trains and bike hire in a"
    " single ticket.|Commuters in {city} can now plan and pay for journeys on buses,"
    " trains and hire bikes in one app, after a service built by {org} went live on"
    " {day}. The transport authority says the app uses live location data from more"
    " than {big} vehicles and stops to predict arrival times.|“People should not need"
    " three different cards and four websites to get across town,” said {name}, the"
    " authority's technology director. “In testing, journeys were a little shorter"
    " simply because people could see the quickest option at a glance.”|Privacy groups"
    " in {country} have asked how long location data will be kept and who can see it."
    " The authority said information is anonymised and deleted after {k} months, and"
    " that an independent audit will be published before the end of the"
    " year.|Apps,Transport",
    "{Org} unveils {city}-designed chip for {thing}|The company says the processor"
    " uses {pct}% less power than its previous model and will go into mass production"
    " early next year.|{Org} unveiled a new processor designed for {thing} on {day},"
    " the product of nearly {k} years of work by engineers at its design centre in"
    " {city}. The company said the chip uses about {pct}% less power than its"
    " predecessor while handling larger workloads.|“Every generation we ask the team"
    " to do more with less, and this time they really delivered,” said {name}, the"
    " head of engineering. “It is a proud moment for {city}. A few years ago, work"
    " this complex would have been done almost entirely overseas.”|The chip will be"
    " made by a partner foundry, with first shipments expected in the second quarter."
    " Industry analysts said the launch strengthened {country}'s position in a"
    " fiercely competitive market, although rivals are working on similar"
    " designs.|Semiconductors,Hardware",
)

_T_SPORT = (
    "Late goal gives {team} dramatic win over {rival}|A strike in the dying minutes"
    " sealed a {hi}-{lo} victory and lifted the home side to {pos} in the"
    " table.|{team} snatched a {hi}-{lo} win over {rival} on {day} evening, with"
    " substitute {name} scoring in the {minute} minute in front of more than {big}"
    " fans at the club's home ground in {city}. The visitors had looked set to hold on"
    " after a tense, scrappy second half.|“We kept believing, and that is what this"
    " group does,” said head coach {name2}. “It was not our best performance, but the"
    " players showed character. Winning games like this when you are not at your best"
    " is what decides a season.”|The result moves {team} up to {pos} place, {k} points"
    " behind the leaders, while {rival} remain in the bottom half. {team} travel to"
    " face the league leaders next {day2}.|Football",
    "{team} name {name} as new head coach~{name} takes charge at {team} on three-year"
    " deal|The former international arrives with the club {pos} in the table and a"
    " brief to win promotion within two seasons.|{team} have appointed {name} as head"
    " coach on a three-year contract, the club confirmed on {day}. The former"
    " international midfielder, who spent the past {k} seasons in charge of {rival},"
    " replaces the previous coach, who left by mutual consent last month.|“This club"
    " has passionate supporters and a great history, and I believe it belongs at a"
    " higher level,” {surname} told reporters at the training ground in {city}. “I"
    " want a team that presses, that is brave with the ball and that gives everything"
    " for the shirt.”|The club's chairman, {name2}, said {surname} had been the"
    " board's first choice. “We spoke to several excellent candidates, but the record"
    " of developing young players stood out,” {surname2} said. The new coach's first"
    " match is at home next {day2}.|Football,Coaching",
    "Record field of {thousands} runners expected for {city} marathon~{city} marathon"
    " sells out in {k} days as new route unveiled|Organisers say this year's race will"
    " follow a new route through the historic centre and feature its strongest elite"
    " field yet.|More than {thousands} runners are expected to take part in the {city}"
    " marathon on {day}, the largest field in the event's history. Organisers said"
    " entries sold out within {k} days of opening, and a new route will take"
    " competitors past several of the city's best-known landmarks.|“Every year the"
    " event grows, and every year we see more first-timers and more people running for"
    " charity,” said race director {name}. “The elite race will be fast, but for most"
    " people on the start line the real victory is reaching the finish.”|Road closures"
    " will be in place across central {city} from early morning, and public transport"
    " will run extra services. Last year's race raised {cash} for local charities, and"
    " organisers hope to beat that figure.|Athletics,Marathon",
    "{team} unveil plans for {thousands}-seat stadium|The club says the {money}"
    " project would replace its ageing ground and bring year-round events to a"
    " neglected part of {city}.|{team} have unveiled plans for a new {thousands}-seat"
    " stadium on a former industrial site in {city}, with a target opening date in {k}"
    " years' time. The {money} project would replace the club's current ground, which"
    " has been criticised for cramped facilities and poor access for disabled"
    " fans.|“Our supporters deserve a stadium that is safe, comfortable and open to"
    " everyone,” said club chief executive {name}. “This is not just about football."
    " We want concerts, community sport and conferences here, so the site is busy"
    " seven days a week.”|The plans must still be approved by the city's planning"
    " committee. Some residents have raised concerns about match-day traffic, and the"
    " club has promised better public transport links and cycle parking as part of the"
    " development.|Football,Stadiums",
    "{city} athlete breaks national record in the {thing}|{name}, {age}, lowered a"
    " mark that had stood for {n} years to take the title at the national"
    " championships.|{name} broke the national record in the {thing} on {day}, winning"
    " the title at the national championships in {city} in front of a delighted home"
    " crowd. The {age}-year-old's time improved on a record that had stood for {n}"
    " years and secured a place in {country}'s team for the world championships.|“I"
    " knew I was in good shape, but I did not expect this today,” {surname} said,"
    " still wrapped in a flag. “My coach told me to trust my race plan and not to"
    " panic. When I saw the clock, I just started laughing.”|{surname}'s coach,"
    " {name2}, said the result was the reward for years of patient work. The athlete"
    " trains at a municipal track in {city} and combines the sport with part-time"
    " university studies.|Athletics,Records",
)

_T_ENVIRONMENT = (
    "Air pollution in {city} falls {pct}% after traffic changes|A year-long study by"
    " {org} found lower levels of nitrogen dioxide near schools and busy junctions,"
    " though some areas still exceed national limits.|Levels of nitrogen dioxide in"
    " central {city} have fallen by about {pct}% over the past year, according to a"
    " report published by {org} on {day}. Researchers credited most of the improvement"
    " to low-traffic zones, cleaner buses and limits on heavy lorries during school"
    " hours.|“These are real gains that people can breathe, especially children"
    " walking to school,” said {name}, the report's lead author. “But the data also"
    " shows a handful of junctions where pollution remains stubbornly high, and that"
    " is where attention must go next.”|Some businesses in the city centre had opposed"
    " the traffic measures, warning that they would deter shoppers. The report found"
    " footfall had largely recovered, and officials said they would consider extending"
    " the scheme to {k} more districts.|Air quality,Transport",
    "{city} plans to plant {big} trees to cool its hottest streets~{big} new trees"
    " promised for {city}'s hottest neighbourhoods|The programme, backed by {org},"
    " targets neighbourhoods with the least shade and the highest summer"
    " temperatures.|Authorities in {city} announced on {day} that they will plant"
    " {big} trees over the next {k} years, focusing on streets and school playgrounds"
    " that become dangerously hot in summer. Mapping by {org} found some"
    " neighbourhoods were several degrees warmer than nearby parks on the hottest"
    " afternoons.|“Trees are one of the cheapest and most effective ways to make a"
    " city more liveable as temperatures rise,” said {name}, an urban ecologist"
    " working on the programme. “We are choosing species that cope with drought and"
    " pollution, and residents will help decide where they go.”|Earlier planting"
    " schemes in {country} were criticised for high losses, with young trees dying in"
    " dry spells. This time the city says it will pay for watering and care for three"
    " years, and volunteers can adopt individual trees.|Trees,Heat",
    "{Thing} return to {city} wetland after decades|Conservationists say the sighting"
    " shows that years of work to clean up the river and restore reed beds are finally"
    " paying off.|Conservationists have confirmed that {thing} are breeding again on a"
    " wetland reserve on the edge of {city}, the first confirmed record there in more"
    " than {n2} years. Volunteers working with {org} spotted them on {day} during a"
    " routine survey, and camera traps later confirmed the sighting.|“When we started"
    " restoring this site, it was a dumping ground,” said {name}, who manages the"
    " reserve. “To see {thing} here now is incredibly moving. It tells us the water is"
    " cleaner and there is enough food. Nature will come back if we give it"
    " room.”|Some paths will close during the breeding season to avoid disturbance."
    " {Org} is asking visitors to keep dogs on leads and to report sightings, which"
    " will help scientists follow how the population develops.|Wildlife,Conservation",
    "Solar farm near {city} to power {thousands} homes|The project, built on former"
    " farmland and a closed landfill site, will be one of the largest renewable energy"
    " schemes in {country}.|Construction has begun on a solar farm outside {city} that"
    " will produce enough electricity for around {thousands} homes, its developers"
    " said on {day}. The {money} project covers former farmland and a closed landfill"
    " site, and should begin supplying the grid within {k} years.|“Land like this,"
    " which has little other use, is ideal for solar,” said {name}, the project's"
    " director. “We are also sowing wildflower meadows between the rows of panels and"
    " letting sheep graze, so the site will support wildlife as well as cutting"
    " emissions.”|Some residents objected to the farm's visual impact, and the"
    " developers agreed to plant hedgerows to screen it from nearby homes. {Org} said"
    " the scheme showed how renewable energy could be built without taking good"
    " farmland out of use.|Renewable energy,Solar",
    "Water restrictions imposed in {city} as reservoirs run low~Hosepipe ban in {city}"
    " as reservoirs fall to {pct2}%|Residents are asked to cut use by {pct}%, and"
    " hosepipes and car washing are banned until further notice after months of"
    " below-average rainfall.|Water authorities in {city} introduced restrictions on"
    " {day} after reservoir levels fell to {pct2}% of capacity following one of the"
    " driest seasons on record. Using hosepipes to water gardens or wash cars is now"
    " banned, and households are asked to cut consumption by around {pct}%.|“We do not"
    " take this step lightly, but the numbers leave us no choice,” said {name},"
    " operations director at the city's water utility. “If everyone makes small"
    " changes, such as shorter showers and fixing dripping taps, we can get through"
    " the summer without tougher measures.”|Farmers around {city} have warned that"
    " yields are likely to suffer, and some have already reduced planting. {Org} said"
    " the drought showed the need to repair leaking pipes, which lose a significant"
    " share of treated water before it reaches homes.|Drought,Water",
)

_T_HEALTH = (
    "New children's wing opens at {city} hospital~{city} hospital opens {n2}-bed"
    " children's wing|The {money} building adds {n2} beds and a dedicated emergency"
    " department for children, easing pressure on overstretched wards.|A new"
    " children's wing opened at the main public hospital in {city} on {day}, adding"
    " {n2} beds, a dedicated emergency department and play areas designed with help"
    " from young patients. The {money} building is the largest health investment in"
    " the city for more than a decade.|“Children are not small adults, and they should"
    " not be treated in spaces designed for adults,” said Dr {name}, the hospital's"
    " head of paediatrics. “Having everything under one roof means shorter waits,"
    " calmer families and better care. Our staff have waited a long time for"
    " this.”|The hospital still faces staff shortages, and unions warn that new beds"
    " can only open if enough nurses are recruited. Health officials in {country} said"
    " a recruitment drive was under way, with incentives for nurses who agree to work"
    " in the region.|Hospitals,Children",
    "{city} launches winter flu vaccination drive~{city} aims to protect {pct2}% of"
    " over-65s in winter flu drive|Health officials aim to vaccinate {pct2}% of people"
    " over 65 and are opening pop-up clinics in shopping centres and railway"
    " stations.|Health authorities in {city} launched their winter vaccination"
    " campaign on {day}, opening pop-up clinics in shopping centres, libraries and"
    " railway stations alongside family doctors and pharmacies. Officials aim to"
    " vaccinate {pct2}% of people over 65, as well as pregnant women and people with"
    " long-term conditions.|“Flu is not a minor illness for older people. Every winter"
    " it puts thousands in hospital,” said Dr {name}, a public health consultant at"
    " {org}. “The vaccine is safe, free and takes five minutes. If you are eligible,"
    " please do not wait until the virus is already circulating.”|Last winter, uptake"
    " in {city} fell short of the national target. Officials said this year's campaign"
    " would include messages in several languages and home visits for people who"
    " cannot easily leave the house.|Vaccination,Flu",
    "Study from {city} links daily walking to lower risk of {thing}|Researchers"
    " followed more than {big} adults for {k} years and found a {pct}% lower risk"
    " among those who walked at least 30 minutes a day.|Adults who walk for at least"
    " half an hour a day have a markedly lower risk of {thing}, according to a study"
    " led by researchers in {city} and published on {day}. The team, based at {org},"
    " followed more than {big} people across {country} for {k} years, recording their"
    " activity with wearable devices.|“The message is encouraging, because walking is"
    " free and almost everyone can do it,” said Dr {name}, who led the research. “We"
    " saw benefits even in people who started later in life. You do not need a gym"
    " membership to make a real difference.”|The researchers cautioned that the study"
    " shows an association rather than proof of cause. Independent experts called the"
    " findings robust and said they added to a large body of evidence on the benefits"
    " of regular activity.|Research,Exercise",
    "Waiting times for surgery in {city} fall for first time in {k} years|Figures from"
    " {org} show the average wait for planned operations has dropped by {n} days,"
    " helped by weekend operating lists.|Waiting times for planned operations in"
    " {city} have fallen for the first time in {k} years, according to figures"
    " published by {org} on {day}. The average wait for procedures such as hip"
    " replacements and cataract surgery dropped by {n} days compared with the same"
    " period last year.|“This is the result of a huge effort by staff who have given"
    " up weekends and evenings,” said {name}, chief executive of the city's hospital"
    " group. “We are not celebrating yet, because too many people still wait too long,"
    " but the trend is finally moving the right way.”|Patient groups welcomed the"
    " figures but noted that waits for mental health services had continued to grow."
    " Officials said a new day-surgery unit had let hospitals carry out {pct}% more"
    " routine procedures.|Hospitals,Waiting lists",
    "{city} opens round-the-clock mental health line for young people~{n2} counsellors"
    " to staff new 24-hour youth helpline in {city}|The free service, staffed by"
    " trained counsellors, is for people aged 14 to 25 and can be reached by phone,"
    " text or online chat.|A free, round-the-clock mental health support line for"
    " young people opened in {city} on {day}, offering help by phone, text message and"
    " online chat. The service, funded by {org} and the city council, will be staffed"
    " by {n2} trained counsellors.|“Young people told us they often feel most alone"
    " late at night, when most services are closed,” said {name}, a clinical"
    " psychologist who helped design the service. “We want them to know that someone"
    " will listen at three in the morning, without judgement and without a waiting"
    " list.”|Demand for youth mental health services in {country} has risen sharply,"
    " and waits for specialist treatment can stretch to months. Organisers said the"
    " line was not a replacement for clinical care but could help young people find"
    " the right support sooner.|Mental health,Young people",
)

_T_CULTURE = (
    "{city} film festival opens with record {n2} premieres|This year's programme"
    " features more than {few} screenings over ten days, with a strand devoted to"
    " {thing} and new talent from {country}.|The {city} International Film Festival"
    " opened on {day} with the premiere of a drama by a first-time director from"
    " {country}, starting ten days of screenings at cinemas, theatres and outdoor"
    " venues. Organisers say the programme includes {n2} premieres, the most in the"
    " festival's history.|“We want this festival to be a place where new voices are"
    " heard first,” said festival director {name}. “Half of the films in our main"
    " competition are by first or second-time filmmakers, and many were made on tiny"
    " budgets with extraordinary imagination.”|A special strand is devoted to {thing},"
    " with talks and workshops alongside the screenings. Ticket sales are up by around"
    " {pct}% on last year, and extra outdoor screenings have been added in a city park"
    " to meet demand.|Film,Festivals",
    "New exhibition traces the story of {thing} in {city}~{Org} opens major show on"
    " {city}'s {thing} history|More than {few} objects, photographs and recordings,"
    " many from private collections, go on show at {org} from {day}.|A major"
    " exhibition exploring the history of {thing} in {city} opens at {org} on {day},"
    " bringing together more than {few} objects, photographs, recordings and costumes."
    " Many of the items have been lent by local families and have never been shown in"
    " public before.|“Every object here has a story, and many of those stories were"
    " kept alive in kitchens and attics rather than archives,” said curator {name}."
    " “We wanted to show that culture in {city} has always been made by ordinary"
    " people as much as by famous names.”|The exhibition runs until {month}, and entry"
    " is free for children and students. Live performances, talks and family workshops"
    " will accompany the show, and a catalogue with new essays by historians from"
    " across {country} is being published.|Exhibitions,History",
    "Historic {city} theatre reopens after {k}-year restoration~Curtain rises again at"
    " {city} theatre after {money} restoration|The {money} project has restored the"
    " auditorium's painted ceiling and added a modern stage, lifts and a rehearsal"
    " studio.|One of {city}'s best-loved theatres reopened on {day} after a {k}-year"
    " restoration, with a gala performance for actors, donors and hundreds of local"
    " residents. Workers repaired the ornate plaster ceiling, replaced the seats and"
    " installed lifts, a rehearsal studio and new backstage facilities.|“When we first"
    " came in, there were pigeons in the balcony and water coming through the roof,”"
    " said {name}, who led the restoration for {org}. “Tonight the audience will see"
    " the theatre as it looked when it opened, with everything they expect from a"
    " modern venue.”|The first season includes classic drama, new writing from"
    " {country} and a strand of {thing}. Managers have promised cheaper tickets for"
    " young people and first-time theatregoers, saying they want the venue to feel"
    " open to the whole of {city}.|Theatre,Heritage",
    "Debut novel set in {city} wins national fiction prize~{name} wins fiction prize"
    " with first novel set in {city}|{name}'s first book, about three generations of a"
    " family running a small hotel, was chosen from a shortlist of {k} titles.|{name}"
    " has won one of {country}'s leading literary awards for a debut novel set in"
    " {city}, the judges announced on {day}. The book follows three generations of a"
    " family who run a small hotel near the old market, and has been praised for its"
    " humour and its portrait of a changing city.|“I wrote most of this book on the"
    " bus to and from my day job,” {surname} said at the ceremony. “{city} is full of"
    " stories that nobody writes down. I wanted to capture the voices I grew up with"
    " before they disappear.”|The prize includes a cash award and support for"
    " translation into several languages. Bookshops in {city} reported selling out"
    " within hours of the announcement, and the publisher has ordered a new print"
    " run.|Books,Awards",
    "{Thing} festival fills the streets of {city}~{city} {thing} festival set to draw"
    " {thousands} visitors|Around {thousands} visitors are expected over the weekend,"
    " with events on {k} open-air stages and in courtyards, squares and cafés.|Crowds"
    " filled the streets of {city} on Friday evening for the opening of a weekend-long"
    " {thing} festival, with events on open-air stages, in courtyards and in cafés"
    " across the old town. Organisers at {org} expect around {thousands} visitors by"
    " the time it closes on Sunday night.|“The idea was always to take {thing} out of"
    " formal venues and put it where people live and work,” said {name}, the"
    " festival's artistic director. “Some of the best moments happen when someone"
    " stops on the way to buy bread and stays for an hour.”|Local businesses said the"
    " festival had become one of their busiest weekends of the year. The council,"
    " which provides part of the funding, has extended late-night public transport,"
    " and several streets in central {city} are closed to traffic until"
    " Monday.|Festivals,Arts",
)

_X_WORLD = (
    "Observers say the episode reflects wider changes in how {country} works with its"
    " neighbours and with international bodies. “There is far more cooperation at a"
    " working level than the headlines suggest,” said {name3}, a lecturer in"
    " international relations who has followed regional affairs for two decades.",
    "Residents of {city} who spoke to reporters were broadly supportive. “We want"
    " things to work, and we want to see results quickly,” said one shopkeeper near"
    " the city centre. Others said they would judge the effort by what changes in the"
    " coming months.",
    "{Org2} said it would publish a fuller assessment in {month}, including figures on"
    " costs and on how many people had been affected. Officials have promised to"
    " release the findings in several languages and to hold public briefings in"
    " {city}.",
    "Funding remains a concern. International partners have pledged around {money2}"
    " towards related programmes in {country} over the next five years, but aid"
    " agencies say the sums fall short of what is needed and that much of the money"
    " has yet to arrive.",
)

_X_BUSINESS = (
    "The wider economy in {country} has sent mixed signals this year. Consumer"
    " spending has held up better than many forecasters expected, but manufacturers"
    " report weaker export orders and higher costs for energy, shipping and"
    " components.",
    "“The fundamentals here are stronger than people give them credit for,” said"
    " {name3}, an economist who studies regional industry. “There is a deep pool of"
    " skilled labour in {city}, and firms that invest carefully tend to do well over"
    " the long run.”",
    "{city} has long been one of the main commercial centres in {country}, with a mix"
    " of manufacturing, logistics and services. Local officials have spent recent"
    " years courting newer industries with tax incentives and faster planning"
    " decisions.",
    "The company is expected to give more detail at its annual shareholder meeting in"
    " {month}. Investors will be looking for updates on costs, on new products and on"
    " how management plans to respond to growing competition from overseas.",
)

_X_POLITICS = (
    "Analysts say decisions in {city} are often read as a barometer of the national"
    " mood. “What happens here tends to be picked up in the capital within weeks,”"
    " said {name3}, a political scientist. “Every party is paying close attention,"
    " whatever they say in public.”",
    "Opinion polls suggest voters in {country} rank {thing} alongside the cost of"
    " living among their main concerns. A recent survey found that {pct3} in 10"
    " respondents believed the issue had been neglected by successive governments.",
    "The debate has also played out on social media, where supporters and opponents"
    " have traded claims about costs and benefits. Officials have reminded campaign"
    " groups of the rules on spending and on how political messages must be labelled.",
    "Officials in {city} said more information would be published on the council"
    " website, and public meetings are planned in several districts so that residents"
    " can put questions directly to their representatives.",
)

_X_TECHNOLOGY = (
    "The technology sector in {country} has grown quickly over the past decade, helped"
    " by grants and tax relief for research. Industry groups estimate that around"
    " {thousands} people in {city} now work in software, electronics or related"
    " fields.",
    "“There is real excitement, but also a duty to get the basics right: security,"
    " privacy and reliability,” said {name3}, who teaches computer science at a"
    " university in {city}. “People will only trust new technology if it works every"
    " single day, not just at the launch.”",
    "Critics warn that the pace of change risks leaving some people behind,"
    " particularly older residents and those in areas with poor connectivity. Consumer"
    " groups have called for clearer rules and for help lines staffed by people rather"
    " than automated systems.",
    "More details are expected in the coming weeks. {Org} said it would share regular"
    " updates, and city officials have promised a public briefing in {month} covering"
    " costs, timelines and lessons learned so far.",
)

_X_SPORT = (
    "Sport enjoys a passionate following in {city}, and local clubs report rising"
    " membership. Council figures show that participation in organised sport in the"
    " city has grown by around {pct}% since new community facilities opened.",
    "Supporters reacted warmly to the news. “It has been a long time since we had this"
    " much to cheer about,” said {name3}, a season-ticket holder who has followed"
    " local sport for more than thirty years. “The mood around the city has completely"
    " changed.”",
    "{Org} said it hoped the attention would encourage more young people to take up"
    " sport. The organisation has committed {cash2} to grassroots programmes in"
    " {country} this year, including coaching courses and new equipment for schools.",
    "Attention now turns to a busy few weeks, with a crowded calendar of fixtures and"
    " events in {city}. Tickets for several upcoming matches and races are already in"
    " high demand, and officials have urged fans to buy only from official outlets.",
)

_X_ENVIRONMENT = (
    "Scientists say {country} is already feeling the effects of a changing climate,"
    " with hotter summers, heavier downpours and longer dry spells. A government"
    " report last year warned that cities such as {city} must adapt infrastructure and"
    " public services to cope.",
    "“Local action matters, because it is where people can actually see the"
    " difference,” said {name3}, an environmental scientist who has studied the region"
    " for many years. “Every project like this teaches us something we can use"
    " elsewhere, and it builds public support too.”",
    "{Org2} will monitor the results over the coming years and has promised to publish"
    " its data openly. Volunteers from schools and community groups in {city} are"
    " expected to help with surveys and upkeep.",
    "Funding comes from a mix of national grants, local budgets and private donations."
    " Campaigners say more money is needed, pointing out that environmental programmes"
    " in {country} receive a small fraction of what is spent on roads and other"
    " infrastructure.",
)

_X_HEALTH = (
    "Health services in {country} have faced mounting pressure from an ageing"
    " population, rising rates of long-term illness and difficulty recruiting staff."
    " Officials in {city} say prevention and early treatment are central to their"
    " plans for the coming decade.",
    "“We need to think about health as something that happens in communities, not only"
    " in hospitals,” said Dr {name3}, a public health specialist in {city}. “Small"
    " changes, repeated by many people over many years, add up to fewer emergencies"
    " and longer, healthier lives.”",
    "{Org2} said it would continue to monitor the results and publish regular updates."
    " Anyone with questions is advised to speak to their family doctor or pharmacist,"
    " or to consult the official health information website.",
    "The health budget for the region has grown by about {pct3}% this year, although"
    " unions and patient groups argue that much of the increase has been swallowed by"
    " rising costs. Ministers are due to set out longer-term funding plans in {month}.",
)

_X_CULTURE = (
    "The cultural scene in {city} has grown in confidence in recent years, with new"
    " galleries, independent venues and festivals drawing visitors from across"
    " {country} and abroad. Tourism officials estimate that cultural events bring"
    " around {money2} into the local economy each year.",
    "“Culture is not a luxury. It is how a city understands itself and how it welcomes"
    " newcomers,” said {name3}, a cultural historian based in {city}. “Projects like"
    " this remind people that the arts belong to everyone, not only to those who"
    " already feel at home in galleries and theatres.”",
    "Arts organisations in {country} have faced difficult years, with rising costs and"
    " pressure on public funding. {Org2}, one of the city's leading venues, has warned"
    " that many smaller groups still depend on volunteers and one-off grants.",
    "Readings, talks and related events are planned in {city} over the coming months,"
    " some of them streamed online for those who cannot attend in person. Organisers"
    " say signed and audio-described sessions will be offered, along with free"
    " sessions aimed at schools.",
)
_TEMPLATES = {
    "world": _T_WORLD,
    "business": _T_BUSINESS,
    "politics": _T_POLITICS,
    "technology": _T_TECHNOLOGY,
    "sport": _T_SPORT,
    "environment": _T_ENVIRONMENT,
    "health": _T_HEALTH,
    "culture": _T_CULTURE,
}
# Background paragraphs: each fits every story in its section.
_EXTRAS = {
    "world": _X_WORLD,
    "business": _X_BUSINESS,
    "politics": _X_POLITICS,
    "technology": _X_TECHNOLOGY,
    "sport": _X_SPORT,
    "environment": _X_ENVIRONMENT,
    "health": _X_HEALTH,
    "culture": _X_CULTURE,
}
_CURRENCY = {"United Kingdom": "£", "Canada": "C$"}
_THE_COUNTRIES = {"Netherlands", "Philippines", "Gambia", "Bahamas", "Maldives"}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _in_text(country: str) -> str:
    """How the country reads mid-sentence: 'the United Kingdom', not 'United ...'."""
    if country.lower().startswith("the "):
        return "the " + country[4:]
    if country.startswith(("United ", "Republic ")) or country in _THE_COUNTRIES:
        return "the " + country
    return country


def _slots(rng: random.Random, section: str, city: str, country: str) -> dict[str, str]:
    names = rng.sample(_NAMES, 3)
    org, org2 = rng.sample(_ORGS[section], 2)
    thing = rng.choice(_THINGS[section])
    day, day2 = rng.sample(_DAYS, 2)
    hi = rng.randint(1, 4)
    cur = _CURRENCY.get(country, "$")
    slots = {
        "city": city,
        "country": _in_text(country),
        "org": org,
        "Org": _cap(org),
        "org2": org2,
        "Org2": _cap(org2),
        "thing": thing,
        "Thing": _cap(thing),
        "day": day,
        "day2": day2,
        "month": rng.choice(_MONTHS),
        "k": rng.choice(("three", "four", "five", "six")),
        "n": str(rng.randint(10, 19)),
        "n2": str(rng.randint(20, 60)),
        "few": str(rng.randint(8, 60) * 10),
        "big": f"{rng.randint(12, 95) * 100:,}",
        "thousands": f"{rng.randint(18, 95) * 1000:,}",
        "pct": str(rng.randint(4, 38)),
        "pct2": str(rng.randint(41, 78)),
        "pct3": str(rng.randint(4, 8)),
        "money": f"{cur}{rng.randint(4, 60) * 5} million",
        "cash": f"{cur}{rng.randint(12, 95) / 10:.1f} million",
        "money2": f"{cur}{rng.randint(4, 60) * 5} million",
        "cash2": f"{cur}{rng.randint(12, 95) / 10:.1f} million",
        "yes": str(rng.randint(31, 48)),
        "no": str(rng.randint(12, 29)),
        "age": str(rng.randint(19, 27)),
        "minute": rng.choice(_MINUTES),
        "pos": rng.choice(_PLACES),
        "hi": str(hi),
        "lo": str(hi - 1),
        "team": f"{city} {rng.choice(_NICKNAMES)}",
        "rival": rng.choice(_RIVALS),
    }
    for i, name in enumerate(names, start=1):
        suffix = str(i) if i > 1 else ""
        slots["name" + suffix] = name
        slots["surname" + suffix] = name.split()[-1]
    return slots


def make_story(rng: random.Random, section: str, city: str, country: str) -> DemoStory:
    """A story for `section` (one of SECTION_SLUGS) set in `city`, `country`."""
    if section not in _TEMPLATES:
        raise ValueError(f"unknown section: {section!r}")
    headlines, *texts, tags = rng.choice(_TEMPLATES[section]).split("|")
    headline = rng.choice(headlines.split("~"))
    extras = rng.sample(_EXTRAS[section], rng.randint(1, 3))
    slots = _slots(rng, section, city, country)
    standfirst, *paragraphs = (t.format_map(slots) for t in [*texts, *extras])
    return DemoStory(
        headline=_cap(headline.format_map(slots)),
        standfirst=standfirst,
        paragraphs=paragraphs,
        tags=tags.split(","),
    )
