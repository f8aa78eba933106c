"""Labelled pairs of wire texts, written for Herald's tests: is B the same news as A?

Kinds: "rewrite" (another agency tells the same event in its own words), "update"
(a later, longer version of the same report), "names" (the same event with names
transliterated or translated differently), "topic" (a different story on the same
topic: not a duplicate). The duplicate threshold is chosen on these pairs.
"""

from typing import NamedTuple


class Pair(NamedTuple):
    kind: str
    duplicate: bool
    a: str
    b: str


PAIRS: tuple[Pair, ...] = (
    # --- rewrites: the same event from two agencies -------------------------------
    Pair(
        "rewrite",
        True,
        "Magnitude 6.8 earthquake strikes off northern Japan. A magnitude 6.8 "
        "earthquake struck off the coast of Aomori prefecture on Tuesday morning, the "
        "Japan Meteorological Agency said. A tsunami advisory was issued for the "
        "Pacific coast of Aomori and Iwate, and bullet train services were halted "
        "while tracks were inspected. No damage was immediately reported.",
        "Strong 6.8 quake hits off Aomori, tsunami advisory issued. A strong "
        "earthquake of magnitude 6.8 hit off Aomori prefecture in northern Japan on "
        "Tuesday, the Japan Meteorological Agency said, issuing a tsunami advisory "
        "for the Pacific coast of Aomori and Iwate. Bullet train services were "
        "halted for inspection of the tracks. There were no immediate reports of "
        "damage.",
    ),
    Pair(
        "rewrite",
        True,
        "Reserve Bank of India holds repo rate at 6.5 percent. The Reserve Bank of "
        "India kept its key repo rate unchanged at 6.5 percent on Friday, as "
        "expected, and said inflation was moving towards its 4 percent target. "
        "Governor Shaktikanta Das said the monetary policy committee voted five to "
        "one to hold rates.",
        "RBI leaves repo rate unchanged at 6.5 pct as inflation eases. India's "
        "central bank left its key repo rate unchanged at 6.5 percent on Friday, in "
        "line with expectations, saying inflation was moving towards the 4 percent "
        "target. The monetary policy committee voted five to one to hold rates, "
        "Governor Shaktikanta Das said.",
    ),
    Pair(
        "rewrite",
        True,
        "Floods force thousands from homes in Assam. Flooding in the northeastern "
        "Indian state of Assam has forced more than 40,000 people from their homes "
        "after days of heavy monsoon rain, officials said on Sunday. The Brahmaputra "
        "river rose above the danger mark in six districts and relief camps were "
        "opened.",
        "Assam floods displace over 40,000 as Brahmaputra swells. More than 40,000 "
        "people have been forced from their homes in Assam, in India's northeast, "
        "after days of heavy monsoon rain, officials said on Sunday. The Brahmaputra "
        "river rose above the danger mark in six districts, and the state opened "
        "relief camps.",
    ),
    Pair(
        "rewrite",
        True,
        "Toyota recalls 280,000 vehicles over faulty fuel pumps. Toyota Motor is "
        "recalling about 280,000 vehicles in Japan and the United States because "
        "their fuel pumps may fail and cause the engine to stall, the carmaker said "
        "on Wednesday. Dealers will replace the pumps free of charge.",
        "Toyota to recall about 280,000 cars for fuel pump defect. Toyota said on "
        "Wednesday it is recalling about 280,000 vehicles in Japan and the United "
        "States because faulty fuel pumps may fail and stall the engine. Dealers "
        "will replace the fuel pumps free of charge, the carmaker said.",
    ),
    Pair(
        "rewrite",
        True,
        "Dubai airport passenger numbers hit record. Dubai International Airport "
        "handled a record 45 million passengers in the first half of the year, its "
        "operator Dubai Airports said on Monday, with India, Saudi Arabia and the "
        "United Kingdom the busiest destinations.",
        "Record 45 million passengers pass through Dubai airport in first half. "
        "Dubai Airports said on Monday that Dubai International handled a record 45 "
        "million passengers in the first half of the year. India, Saudi Arabia and "
        "the United Kingdom were the busiest destinations, the operator said.",
    ),
    Pair(
        "rewrite",
        True,
        "Canada wildfire forces evacuation of Jasper. Authorities ordered the "
        "evacuation of the town of Jasper in Alberta on Monday night as a wildfire "
        "moved towards it, sending about 25,000 residents and visitors out of the "
        "national park along highways to the west.",
        "Jasper evacuated as wildfire approaches Alberta town. About 25,000 "
        "residents and visitors were ordered out of Jasper, Alberta, on Monday night "
        "as a wildfire moved towards the town, with authorities sending people out "
        "of the national park along highways to the west.",
    ),
    Pair(
        "rewrite",
        True,
        "UK inflation falls to 2 percent target. British consumer price inflation "
        "fell to 2 percent in May, hitting the Bank of England's target for the "
        "first time in nearly three years, the Office for National Statistics said "
        "on Wednesday. Economists had expected the figure.",
        "British inflation returns to Bank of England 2 percent target. Consumer "
        "price inflation in Britain fell to 2 percent in May, the Office for "
        "National Statistics said on Wednesday, reaching the Bank of England target "
        "for the first time in nearly three years, as economists had expected.",
    ),
    Pair(
        "rewrite",
        True,
        "Typhoon Shanshan makes landfall in Kyushu. Typhoon Shanshan made landfall "
        "near Satsumasendai in Kagoshima prefecture on Thursday morning with winds "
        "of up to 200 kph, the weather agency said. Hundreds of flights were "
        "cancelled and more than 250,000 homes lost power.",
        "Shanshan slams into southern Japan, 250,000 homes without power. Typhoon "
        "Shanshan made landfall near Satsumasendai in Kagoshima prefecture on "
        "Thursday, with winds of up to 200 kph. More than 250,000 homes lost power "
        "and hundreds of flights were cancelled, the weather agency said.",
    ),
    Pair(
        "rewrite",
        True,
        "Sri Lanka to hold presidential election in September. Sri Lanka will hold "
        "its presidential election on September 21, the election commission said on "
        "Friday, the first since an economic crisis forced the then president to "
        "flee the country in 2022.",
        "Sri Lanka sets September 21 presidential vote. The election commission of "
        "Sri Lanka said on Friday the presidential election will be held on "
        "September 21, the first since the 2022 economic crisis forced the then "
        "president to flee the country.",
    ),
    Pair(
        "rewrite",
        True,
        "Ontario to ban cellphones in classrooms. Ontario will ban cellphones in "
        "classrooms from September, Education Minister Stephen Lecce said on "
        "Sunday, requiring students to keep phones silenced and out of sight during "
        "lessons and blocking social media on school networks.",
        "Cellphones banned in Ontario classrooms from September. Students in "
        "Ontario must keep cellphones silenced and out of sight during lessons from "
        "September, Education Minister Stephen Lecce said on Sunday, and social "
        "media will be blocked on school networks under the classroom ban.",
    ),
    # --- updates: a later, longer version of the same report ------------------------
    Pair(
        "update",
        True,
        "Fire breaks out at Osaka chemical plant. A fire broke out at a chemical "
        "plant in Osaka on Saturday afternoon, the city fire department said. "
        "Firefighters were at the scene.",
        "Fire breaks out at Osaka chemical plant, three injured. A fire broke out at "
        "a chemical plant in Osaka on Saturday afternoon, the city fire department "
        "said. Three workers were taken to hospital with burns. Firefighters were at "
        "the scene and residents nearby were told to keep their windows shut. The "
        "cause of the fire was not known.",
    ),
    Pair(
        "update",
        True,
        "Mumbai building collapse kills two. Two people were killed when a "
        "four-storey residential building collapsed in Mumbai's Grant Road area on "
        "Saturday, the city's municipal corporation said.",
        "Mumbai building collapse kills two, rescuers search rubble. Two people "
        "were killed when a four-storey residential building collapsed in Mumbai's "
        "Grant Road area on Saturday, the municipal corporation said. Rescuers "
        "searched the rubble for others who may be trapped, and thirteen people were "
        "pulled out alive.",
    ),
    Pair(
        "update",
        True,
        "Saudi Aramco second-quarter profit falls. Saudi Aramco reported a fall in "
        "second-quarter net profit on Tuesday as lower crude prices and volumes "
        "weighed on earnings.",
        "Saudi Aramco second-quarter profit falls 3.4 percent, dividend held. Saudi "
        "Aramco reported a 3.4 percent fall in second-quarter net profit on Tuesday, "
        "to 29.1 billion dollars, as lower crude prices and volumes weighed on "
        "earnings. The oil company kept its base dividend at 20.3 billion dollars.",
    ),
    Pair(
        "update",
        True,
        "Air Canada pilots reach tentative deal. Air Canada and its pilots union "
        "reached a tentative four-year agreement on Sunday, averting a strike.",
        "Air Canada pilots reach tentative deal, averting strike. Air Canada and "
        "the union representing its 5,200 pilots reached a tentative four-year "
        "agreement on Sunday, averting a strike that could have grounded flights. "
        "The deal must still be ratified by union members, the airline said.",
    ),
    Pair(
        "update",
        True,
        "London Underground strike called off. A strike planned on the London "
        "Underground for next week has been called off after talks, the RMT union "
        "said on Thursday.",
        "London Underground strike called off after pay talks. A strike planned on "
        "the London Underground for next week has been called off, the RMT union "
        "said on Thursday, after talks with Transport for London produced an "
        "improved pay offer. Members will vote on the offer.",
    ),
    Pair(
        "update",
        True,
        "Sapporo snow festival opens. The Sapporo Snow Festival opened on Sunday "
        "with about 200 snow and ice sculptures in Odori Park.",
        "Sapporo snow festival opens with 200 sculptures. The Sapporo Snow "
        "Festival opened on Sunday with about 200 snow and ice sculptures in Odori "
        "Park, and organisers expect more than two million visitors over the week. "
        "This year's largest sculpture shows a temple from Nara.",
    ),
    # --- names: transliterated or translated names --------------------------------
    Pair(
        "names",
        True,
        "Zelenskyy meets Kishida in Tokyo. Ukrainian President Volodymyr Zelenskyy "
        "met Prime Minister Fumio Kishida in Tokyo on Saturday and thanked Japan "
        "for its support, the foreign ministry said. The two leaders agreed to "
        "work on rebuilding Ukraine's power grid.",
        "Zelensky meets Kishida in Tokyo. Ukrainian President Volodimir Zelensky "
        "met Prime Minister Kishida Fumio in Tokyo on Saturday and thanked Japan "
        "for its support, the foreign ministry said. The two leaders agreed to "
        "work on rebuilding the power grid of Ukraine.",
    ),
    Pair(
        "names",
        True,
        "Mohammed bin Salman receives Modi in Riyadh. Saudi Crown Prince Mohammed "
        "bin Salman received Indian Prime Minister Narendra Modi in Riyadh on "
        "Tuesday, and the two signed agreements on energy, defence and investment.",
        "Muhammad bin Salman receives Modi in Riyadh. Saudi Crown Prince Muhammad "
        "bin Salman received Indian Prime Minister Narendra Modi in Riyadh on "
        "Tuesday, and the two signed agreements on energy, defence and investment.",
    ),
    Pair(
        "names",
        True,
        "Beijing hosts talks on Gaza. China hosted talks in Beijing on Tuesday "
        "between Hamas and Fatah, Foreign Minister Wang Yi said, and the factions "
        "agreed to work towards a unity government after the war in Gaza.",
        "Peking hosts talks on Gaza. China hosted talks in Peking on Tuesday "
        "between Hamas and Al-Fatah, Foreign Minister Wang Yi said, and the "
        "factions agreed to work towards a unity government after the war in Gaza.",
    ),
    Pair(
        "names",
        True,
        "Mumbai Indians sign Jasprit Bumrah to new contract. The Mumbai Indians "
        "cricket team signed fast bowler Jasprit Bumrah to a new three-year "
        "contract on Thursday, the franchise said in a statement.",
        "Bombay Indians sign Jaspreet Bumrah to new contract. The Mumbai Indians "
        "cricket team signed fast bowler Jaspreet Bumrah to a new three-year "
        "contract on Thursday, the franchise said in a statement.",
    ),
    Pair(
        "names",
        True,
        "Gaddafi's son Saif al-Islam registers for Libya vote. Saif al-Islam "
        "Gaddafi, son of the late Libyan leader, registered on Sunday as a candidate "
        "in the presidential election, the electoral commission said in Sabha.",
        "Kadhafi's son Seif al-Islam registers for Libya vote. Seif al-Islam "
        "Kadhafi, son of the late Libyan leader, registered on Sunday as a "
        "candidate in the presidential election, the electoral commission said in "
        "Sabha.",
    ),
    Pair(
        "names",
        True,
        "Tokyo governor Yuriko Koike wins third term. Yuriko Koike won a third "
        "term as governor of Tokyo on Sunday, defeating more than 50 rivals, "
        "according to projections by public broadcaster NHK.",
        "Tokyo governor Koike Yuriko wins third term. Koike Yuriko won a third "
        "term as Tokyo governor on Sunday, defeating more than 50 rivals, according "
        "to projections by the public broadcaster NHK.",
    ),
    # --- topic: same topic, different news (not duplicates) -----------------------
    Pair(
        "topic",
        False,
        "Magnitude 6.8 earthquake strikes off northern Japan. A magnitude 6.8 "
        "earthquake struck off the coast of Aomori prefecture on Tuesday morning, the "
        "Japan Meteorological Agency said. A tsunami advisory was issued.",
        "Magnitude 5.9 earthquake shakes Tokyo. A magnitude 5.9 earthquake shook "
        "Tokyo and surrounding prefectures on Friday evening, the Japan "
        "Meteorological Agency said. There was no tsunami warning and trains "
        "resumed after a short halt.",
    ),
    Pair(
        "topic",
        False,
        "Reserve Bank of India holds repo rate at 6.5 percent. The Reserve Bank of "
        "India kept its key repo rate unchanged at 6.5 percent on Friday, as "
        "expected.",
        "Bank of Japan raises interest rates to 0.25 percent. The Bank of Japan "
        "raised its short-term interest rate to 0.25 percent on Wednesday and laid "
        "out a plan to halve its bond buying, Governor Kazuo Ueda said.",
    ),
    Pair(
        "topic",
        False,
        "Floods force thousands from homes in Assam. Flooding in the northeastern "
        "Indian state of Assam has forced more than 40,000 people from their homes "
        "after days of heavy monsoon rain, officials said on Sunday.",
        "Landslides kill dozens in Kerala's Wayanad. Landslides triggered by heavy "
        "monsoon rain killed at least 40 people in the Wayanad district of Kerala "
        "early on Tuesday, officials said, and rescuers searched for hundreds "
        "missing.",
    ),
    Pair(
        "topic",
        False,
        "Toyota recalls 280,000 vehicles over faulty fuel pumps. Toyota Motor is "
        "recalling about 280,000 vehicles in Japan and the United States because "
        "their fuel pumps may fail.",
        "Honda recalls 750,000 vehicles over airbag sensors. Honda is recalling "
        "about 750,000 vehicles in the United States because a seat sensor may "
        "fail and turn off the front passenger airbag, the carmaker said on "
        "Monday.",
    ),
    Pair(
        "topic",
        False,
        "Dubai airport passenger numbers hit record. Dubai International Airport "
        "handled a record 45 million passengers in the first half of the year, its "
        "operator said on Monday.",
        "Emirates orders 90 Boeing 777X jets. Emirates ordered 90 Boeing 777X "
        "wide-body jets worth 52 billion dollars at the Dubai Airshow on Monday, "
        "the airline's chairman said.",
    ),
    Pair(
        "topic",
        False,
        "Canada wildfire forces evacuation of Jasper. Authorities ordered the "
        "evacuation of the town of Jasper in Alberta on Monday night as a wildfire "
        "moved towards it.",
        "Wildfire smoke from Canada blankets New York. Smoke from hundreds of "
        "wildfires burning in Quebec turned the sky over New York orange on "
        "Wednesday, and officials told residents to stay indoors.",
    ),
    Pair(
        "topic",
        False,
        "UK inflation falls to 2 percent target. British consumer price inflation "
        "fell to 2 percent in May, the Office for National Statistics said on "
        "Wednesday.",
        "UK economy grows 0.6 percent in first quarter. Britain's economy grew 0.6 "
        "percent in the first three months of the year, leaving recession behind, "
        "the Office for National Statistics said on Friday.",
    ),
    Pair(
        "topic",
        False,
        "Typhoon Shanshan makes landfall in Kyushu. Typhoon Shanshan made landfall "
        "near Satsumasendai in Kagoshima prefecture on Thursday morning with winds "
        "of up to 200 kph.",
        "Typhoon Ampil brushes past Tokyo. Typhoon Ampil passed off the coast of "
        "Tokyo on Friday, bringing heavy rain and causing hundreds of flight "
        "cancellations at Haneda and Narita airports, but little damage.",
    ),
    Pair(
        "topic",
        False,
        "Sri Lanka to hold presidential election in September. Sri Lanka will hold "
        "its presidential election on September 21, the election commission said on "
        "Friday.",
        "Bangladesh prime minister resigns and flees country. Bangladesh's Prime "
        "Minister Sheikh Hasina resigned and fled the country on Monday after weeks "
        "of deadly protests, the army chief said in a televised address.",
    ),
    Pair(
        "topic",
        False,
        "Ontario to ban cellphones in classrooms. Ontario will ban cellphones in "
        "classrooms from September, Education Minister Stephen Lecce said on "
        "Sunday.",
        "Quebec teachers begin strike over pay. About 65,000 teachers in Quebec "
        "began an indefinite strike on Thursday over pay and working conditions, "
        "closing hundreds of schools, their union said.",
    ),
    Pair(
        "topic",
        False,
        "Fire breaks out at Osaka chemical plant. A fire broke out at a chemical "
        "plant in Osaka on Saturday afternoon, the city fire department said.",
        "Explosion at Fukushima factory injures five. An explosion at a metal "
        "processing factory in Fukushima prefecture injured five workers on "
        "Wednesday, police said, and the cause was under investigation.",
    ),
    Pair(
        "topic",
        False,
        "Mumbai building collapse kills two. Two people were killed when a "
        "four-storey residential building collapsed in Mumbai's Grant Road area on "
        "Saturday.",
        "Mumbai billboard collapse toll rises to 16. The death toll from the "
        "collapse of a giant billboard during a dust storm in Mumbai's Ghatkopar "
        "area rose to 16 on Tuesday, police said.",
    ),
    Pair(
        "topic",
        False,
        "Saudi Aramco second-quarter profit falls. Saudi Aramco reported a fall in "
        "second-quarter net profit on Tuesday as lower crude prices and volumes "
        "weighed on earnings.",
        "ADNOC profit rises as gas sales grow. Abu Dhabi National Oil Company "
        "reported higher quarterly profit on Thursday as gas sales grew and its "
        "chemicals unit recovered.",
    ),
    Pair(
        "topic",
        False,
        "Air Canada pilots reach tentative deal. Air Canada and its pilots union "
        "reached a tentative four-year agreement on Sunday, averting a strike.",
        "WestJet mechanics strike grounds hundreds of flights. A strike by "
        "WestJet aircraft mechanics grounded hundreds of flights over the Canada "
        "Day weekend, stranding tens of thousands of travellers.",
    ),
    Pair(
        "topic",
        False,
        "London Underground strike called off. A strike planned on the London "
        "Underground for next week has been called off after talks, the RMT union "
        "said on Thursday.",
        "Train drivers in England to strike again. Train drivers at 16 rail "
        "companies in England will strike again next month in their long dispute "
        "over pay, the ASLEF union said on Tuesday.",
    ),
    Pair(
        "topic",
        False,
        "Zelenskyy meets Kishida in Tokyo. Ukrainian President Volodymyr Zelenskyy "
        "met Prime Minister Fumio Kishida in Tokyo on Saturday and thanked Japan "
        "for its support.",
        "Kishida pledges aid to Ukraine at Kyiv visit. Japanese Prime Minister "
        "Fumio Kishida made a surprise visit to Kyiv on Tuesday and pledged "
        "further aid for Ukraine, including 30 million dollars for equipment.",
    ),
    Pair(
        "topic",
        False,
        "Mohammed bin Salman receives Modi in Riyadh. Saudi Crown Prince Mohammed "
        "bin Salman received Indian Prime Minister Narendra Modi in Riyadh on "
        "Tuesday.",
        "Modi visits Abu Dhabi temple opening. Indian Prime Minister Narendra Modi "
        "opened the first Hindu stone temple in Abu Dhabi on Wednesday, attended by "
        "thousands from the Indian community in the Emirates.",
    ),
    Pair(
        "topic",
        False,
        "Tokyo governor Yuriko Koike wins third term. Yuriko Koike won a third "
        "term as governor of Tokyo on Sunday, according to projections by NHK.",
        "Osaka mayor announces bid for party leadership. The mayor of Osaka said "
        "on Monday he will run for the leadership of Japan Innovation Party after "
        "its leader resigned over election losses.",
    ),
    Pair(
        "topic",
        False,
        "Mumbai Indians sign Jasprit Bumrah to new contract. The Mumbai Indians "
        "cricket team signed fast bowler Jasprit Bumrah to a new three-year "
        "contract on Thursday.",
        "India win T20 World Cup final against South Africa. India beat South "
        "Africa by seven runs in Barbados on Saturday to win the T20 World Cup, "
        "with Jasprit Bumrah named player of the tournament.",
    ),
    Pair(
        "topic",
        False,
        "Beijing hosts talks on Gaza. China hosted talks in Beijing on Tuesday "
        "between Hamas and Fatah, Foreign Minister Wang Yi said.",
        "Ceasefire talks on Gaza resume in Cairo. Negotiators from Egypt, Qatar "
        "and the United States resumed talks on a Gaza ceasefire in Cairo on "
        "Sunday, officials said, as fighting continued in Rafah.",
    ),
    Pair(
        "topic",
        False,
        "Sapporo snow festival opens. The Sapporo Snow Festival opened on Sunday "
        "with about 200 snow and ice sculptures in Odori Park.",
        "Heavy snow strands drivers in Hokkaido. Heavy snow stranded hundreds of "
        "drivers on highways in Hokkaido on Monday, and the Self-Defense Forces "
        "were sent to deliver food and fuel.",
    ),
)
