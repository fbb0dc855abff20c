"""Invented news stories for the web-page tests and measurements (written for this project).

Each story's paragraphs are its body: the sentences an extractor must keep. The page templates in
web_pages.py wrap them in a site's furniture.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    published: str  # ISO date
    author: str
    paragraphs: tuple[str, ...]


STORIES = [
    Story("harbour-pier", "Harbour board votes to rebuild the north pier", "2025-03-04", "Ana Ruiz", (
        "The Port Avalen harbour board voted seven to two on Tuesday to rebuild the north pier before the winter storms.",
        "Engineers said the timber piles had rotted below the waterline and could not carry loaded trucks much longer.",
        "The work will cost 4.2 million euros, most of it from a regional resilience fund approved last spring.",
        "Fishing crews will moor at the south quay while the pier is closed, the board's chair, Marta Quell, said.",
        "\"We would rather lose one season than lose the pier,\" she told reporters after the vote.",
        "Construction is expected to start in May and finish before the end of October.",
    )),
    Story("bus-strike", "Bus drivers in Norvale walk out over night-shift pay", "2025-06-18", "Tomas Berg", (
        "Bus drivers in Norvale stopped work at dawn on Wednesday in a dispute over pay for night shifts.",
        "The drivers' union said its members had not had a raise for night work in six years.",
        "City officials said only eleven of the ninety routes were running by midday.",
        "Commuters queued for taxis outside the central station, and several schools delayed their opening.",
        "The transport authority offered a three percent increase, which the union rejected as an insult.",
        "Talks are due to resume on Friday under a mediator appointed by the regional labour office.",
    )),
    Story("library-reopens", "Castelmere library reopens after two-year restoration", "2024-11-02", "Lena Ortiz", (
        "The old public library in Castelmere reopened on Saturday after a restoration that took two years.",
        "Workers replaced the leaking copper roof and repaired plaster ceilings damaged by decades of damp.",
        "The reading room now has step-free access from the square for the first time since it was built.",
        "More than three thousand people visited on the first day, according to the city's culture office.",
        "The restoration cost 9 million euros, a third more than planned, because of rot found in the roof beams.",
    )),
    Story("vaccine-trial", "Regional hospital joins trial of a new malaria vaccine", "2025-01-27", "Priya Nand", (
        "The Halden regional hospital has joined an international trial of a new malaria vaccine for travellers.",
        "About four hundred adult volunteers will receive two doses four weeks apart.",
        "Researchers will compare infection rates with a group that receives a placebo.",
        "The trial's lead doctor, Samuel Adeyemi, said results could be published within eighteen months.",
        "Volunteers must be between eighteen and sixty years old and planning a trip to an affected region.",
    )),
    Story("wind-farm", "Offshore wind farm approved despite objections from fishermen", "2025-08-09", "Oskar Lind", (
        "The national energy agency approved a forty-turbine wind farm off the Kestrel coast on Friday.",
        "Fishing associations had argued that the turbines would close some of the richest grounds in the area.",
        "The agency said the developer must keep two shipping lanes open and pay into a fund for affected crews.",
        "The farm is expected to supply power to about two hundred thousand homes from 2029.",
        "Opponents have thirty days to appeal the decision in the administrative court.",
        "A spokesman for the fishermen said an appeal was very likely.",
    )),
    Story("school-meals", "Free school meals extended to all primary pupils", "2025-02-12", "Hana Ito", (
        "Every primary school pupil in the Lower Vale district will receive a free hot lunch from September.",
        "Until now only children from low-income families qualified for the meals.",
        "The district council said the scheme would cost about 12 million a year, paid from a new tourism levy.",
        "Head teachers welcomed the plan but warned that some school kitchens were too small to cope.",
        "The council promised grants for kitchen upgrades in forty schools before the start of term.",
    )),
    Story("bridge-crack", "Cracks found in Eastgate bridge, lorries diverted", "2025-10-21", "Marek Novak", (
        "Inspectors found cracks in two steel girders of the Eastgate bridge during a routine check on Monday.",
        "Lorries heavier than 7.5 tonnes have been banned from the bridge until further notice.",
        "Cars and buses can still cross, but the speed limit has been lowered to thirty kilometres an hour.",
        "The diversion adds about twenty minutes to journeys between the port and the motorway.",
        "Engineers will fit sensors to the girders this week to measure how the cracks develop.",
    )),
    Story("museum-theft", "Gold coins stolen from Ardmore museum in night raid", "2024-09-15", "Claire Dubois", (
        "Thieves broke into the Ardmore city museum overnight and took a display case of medieval gold coins.",
        "Police said the raiders cut through a rear window and disabled an alarm in under four minutes.",
        "The forty-one coins were found in a farmer's field in 1962 and are insured for 2 million euros.",
        "The museum's director, Fiona Kerr, said the coins were of greater value to historians than to collectors.",
        "Detectives have asked anyone who saw a dark van near the museum after midnight to come forward.",
    )),
    Story("heatwave", "Heatwave brings record temperature to Valmora", "2025-07-23", "Luca Ferri", (
        "The temperature in Valmora reached 43.1 degrees on Tuesday, the highest since records began in 1881.",
        "The national weather service kept its red warning in place for a fourth day.",
        "Hospitals reported a rise in admissions of elderly people suffering from dehydration.",
        "The city opened twelve cooled public buildings overnight for residents without air conditioning.",
        "Forecasters expect the heat to ease from Friday as a band of storms moves in from the west.",
    )),
    Story("ferry-route", "New ferry route links Port Avalen and Isla Brava", "2025-04-30", "Ana Ruiz", (
        "A new ferry service between Port Avalen and Isla Brava will start sailing on the first of June.",
        "The crossing will take ninety minutes, half as long as the existing route via Santa Ines.",
        "The operator, Brava Lines, will run three return trips a day in summer and one in winter.",
        "Island businesses hope the shorter crossing will bring day visitors outside the peak season.",
        "Tickets go on sale next week, with discounts for residents of the island.",
    )),
    Story("data-breach", "Hackers steal records of 80,000 water customers", "2025-05-06", "Jon Halvorsen", (
        "The Northfield water company said hackers had stolen the names and addresses of about 80,000 customers.",
        "Bank details were not taken because they are held by a separate payment provider, the company said.",
        "The breach was discovered on Thursday when staff noticed unusual traffic on a billing server.",
        "Customers will be offered a year of free credit monitoring.",
        "The data protection authority has opened an investigation and could impose a fine.",
    )),
    Story("election-result", "Mayor Quell re-elected with narrow majority", "2025-09-29", "Ines Carvalho", (
        "Mayor Marta Quell won a second term in Port Avalen on Sunday with 50.8 percent of the vote.",
        "Her challenger, the former harbour master Paulo Reis, conceded shortly after midnight.",
        "Turnout was 61 percent, up four points on the previous election.",
        "Quell said her priorities would be housing for young families and the completion of the north pier.",
        "Reis said he would lead the opposition group in the city council.",
    )),
    Story("river-cleanup", "Volunteers pull two tonnes of rubbish from the Lenn", "2025-04-13", "Sofia Marin", (
        "More than three hundred volunteers spent Saturday clearing rubbish from the banks of the river Lenn.",
        "They collected about two tonnes of waste, including shopping trolleys, tyres and a rusted motorbike.",
        "The clean-up was organised by a local rowing club whose members had complained of plastic in the water.",
        "The city council provided skips and gloves and promised to install more bins along the footpath.",
    )),
    Story("airport-expansion", "Court halts airport runway expansion", "2025-11-11", "Peter Holm", (
        "A court in Valmora has suspended work on a second runway at the city's airport.",
        "Judges ruled that the environmental assessment had not considered the effect of night flights on nearby villages.",
        "The airport company said it would revise the assessment and expected work to resume next year.",
        "Residents' groups, who brought the case, called the ruling a victory for common sense.",
        "The expansion would raise the airport's capacity from eight to fourteen million passengers a year.",
    )),
    Story("orchestra-tour", "City orchestra cancels Asian tour over funding gap", "2024-12-05", "Elena Rossi", (
        "The Castelmere symphony orchestra has cancelled a twelve-concert tour of Asia planned for the spring.",
        "The orchestra said a sponsor had withdrawn, leaving a gap of about 800,000 euros.",
        "Musicians were told of the decision at a rehearsal on Wednesday morning.",
        "The orchestra's manager said she hoped to rearrange the tour for the following season.",
        "Ticket holders in Seoul, Tokyo and Singapore will be refunded in full.",
    )),
    Story("housing-plan", "Council backs plan for 1,200 homes on old rail yards", "2025-03-19", "Tomas Berg", (
        "Norvale city council has approved a plan to build 1,200 homes on the disused rail yards north of the centre.",
        "A third of the homes will be offered at below-market rents to key workers such as nurses and teachers.",
        "The plan also includes a primary school, a health centre and a park along the old embankment.",
        "Some councillors voted against it, saying the roads around the site were already congested.",
        "Building could start in 2026 once the land has been cleared of contaminated soil.",
    )),
]
