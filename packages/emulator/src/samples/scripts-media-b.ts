// Original scripts written for this project; see scripts-media-a.ts.

import type { SampleScript } from './types.ts';

/** Education through Culture, two scripts each. */
export const MEDIA_SCRIPTS_B: readonly SampleScript[] = [
  {
    expectedTopic: 'Education',
    title: 'Education news: a tuition freeze and reading lessons',
    text: 'In education news this morning, the state university system announced it will freeze tuition for the next two years, a relief for students and families. The chancellor said the plan depends on new funding from the legislature. Meanwhile, public schools across the region are testing a new approach to teaching reading in the early grades, after test scores fell during the pandemic. Teachers say the lessons focus on phonics and reading aloud, and early results show better learning outcomes. We also hear from a community college that is partnering with local employers on apprenticeships in nursing and welding. Educational institutions everywhere are rethinking how students learn, and we will follow these academic developments closely.',
  },
  {
    expectedTopic: 'Education',
    title: 'Office Hours: the flipped classroom',
    text: "Welcome to Office Hours, the education podcast for teachers, parents and lifelong learners. Today we talk with a high school math teacher who flipped her classroom, so students watch short lessons in the evening and spend class time solving problems together. She shares what worked, what failed, and how her students' grades and confidence changed over a semester. We also discuss what cognitive psychology says about learning, including why testing yourself beats rereading your notes, and how universities are updating their academic programs for online students. Finally, a college admissions officer answers listener questions about essays and scholarships. Whether you teach, study, or just love learning, this episode has something for you.",
  },
  {
    expectedTopic: 'Travel',
    title: 'The travel desk weekend briefing',
    text: 'This is the travel desk with your weekend briefing. Airlines are adding hundreds of summer flights to southern Europe, and fares to Lisbon and Athens have dropped compared with last year. Travel experts say the best deals are midweek departures booked at least six weeks ahead. Our tip of the week: if you are visiting popular destinations like Rome or Kyoto, book museum tickets online in advance to skip the queues. In tourism news, a small island in Greece will limit cruise ship visits to protect its harbour, and the national park has opened a new hiking trail with mountain views. Wherever you are heading, check your passport expiry date before you go. Safe travels.',
  },
  {
    expectedTopic: 'Travel',
    title: 'Carry On: Vietnam by overnight train',
    text: "Welcome to Carry On, the travel podcast for people who pack light and wander far. This week we are in Vietnam, eating our way from Hanoi to Ho Chi Minh City by overnight train. We share tips on choosing a sleeper cabin, the street stalls worth the queue, and how to cross a busy road without panic. Our guest is a tour guide who grew up in Hoi An; she talks about how tourism has changed her town, and which destinations nearby are still quiet. We end with listener questions about travel insurance, visas, and whether it is worth buying a local phone card. Grab your backpack, and let's go.",
  },
  {
    expectedTopic: 'Lifestyle',
    title: 'Sunday Living: decor, recipes and wide leg trousers',
    text: 'Welcome to Sunday Living, the lifestyle show about making everyday life a little nicer. This week our home decor expert shows how to refresh a small apartment for under a hundred dollars, with second hand lamps, plants, and a bold paint colour on one wall. Then we head to the kitchen, where a chef shares three easy weeknight recipes and some comfort food using the same pot, including a lemon pasta that takes fifteen minutes. In fashion, we look at the return of wide leg trousers and how to style them for work and weekends. And our listener mailbag answers a question about starting a new hobby after retirement, from pottery to gardening, because personal interests matter at every age. Enjoy your Sunday.',
  },
  {
    expectedTopic: 'Lifestyle',
    title: 'Good Taste: cinnamon buns and capsule wardrobes',
    text: 'Hello and welcome to Good Taste, a lifestyle podcast about food, fashion and the pleasures of home. Today we visit a bakery that only opens on weekends and sells out of its cinnamon buns by nine. The owner tells us how she turned a personal passion into a bakery of her own. Then our style editor takes on the capsule wardrobe: ten pieces of clothing, endless outfits, and why good shoes matter more than whatever is fashionable. We also talk about home decor on a budget, from thrift store frames to houseplants that are hard to kill. Finally, listeners share their favourite comfort food recipes and weekend rituals. Pour yourself a coffee and enjoy.',
  },
  {
    expectedTopic: 'Environment',
    title: 'Environment news: record ocean heat',
    text: 'In environment news today, ocean temperatures have set new records for the third year in a row, raising the risk of coral bleaching across the tropics. Climate experts say the warming is driven mostly by greenhouse gas emissions, with a boost from natural weather patterns. In response, a group of coastal cities announced plans to restore wetlands that can absorb storm surges. Conservation groups welcomed the plans but said countries must cut emissions faster to limit climate change. We also report on a river clean up that removed four tonnes of plastic in one weekend, and on wolves returning to a national park, which have helped its forests recover. These environmental issues affect all of us.',
  },
  {
    expectedTopic: 'Environment',
    title: 'Green Shift: wildflowers, bees and hedges',
    text: 'Welcome to Green Shift, a podcast about the environment and the people protecting it. Today we visit a mountain valley where farmers and conservation groups are working together to bring back native wildflowers and the bees that depend on them. We discuss why habitat loss is one of the biggest environmental issues of our time, and how climate change is moving the seasons earlier every year. Our guest, a field ecologist, explains how small changes on farms, like leaving hedges and wild corners, can make a big difference. We also answer listener questions about composting, cutting down on plastic, and whether electric lawn mowers are worth it.',
  },
  {
    expectedTopic: 'Finance',
    title: 'Money Matters: how much should you save?',
    text: 'Welcome to Money Matters, the personal finance show. Today we answer the question we hear most: how much should you save, and where should you put it? Our guest, a financial planner, suggests building an emergency fund of three to six months of expenses before you start investing. After that, she recommends low cost index funds for long term investments, and explains why trying to time the stock exchange rarely works. We also talk about paying down credit card debt, the new limits on retirement savings, and how rising interest rates change the math on a loan. Her best advice: automate your savings so you never have to think about it. Send us your finance questions for next week.',
  },
  {
    expectedTopic: 'Finance',
    title: 'Personal finance update: rates, wages and bonds',
    text: "This is your personal finance update. The central bank held interest rates steady today, but signalled it could cut them later this year if inflation keeps cooling. Economists say the latest economic data show wages rising faster than prices for the first time in two years, which is good news for household budgets. Loan rates have eased slightly, and savings accounts are still paying more than they did a year ago, so it may be a good time to shop around. For investors, bond yields fell and gold hit a record high. Our advice this week: check your budget, look at the fees on your retirement investments, and don't let headlines push you into rash decisions.",
  },
  {
    expectedTopic: 'Automotive',
    title: 'Torque: the electric pickup truck',
    text: 'Welcome back to Torque, the automotive show. This week we review the new electric pickup truck, and the numbers are impressive: three hundred miles of range, a towing capacity that beats most diesel trucks, and a cabin that is quieter than a luxury sedan. The downside is the price, and charging on a road trip still takes planning. We also drove the redesigned family hatchback, which gets a hybrid engine and better mileage. In auto industry news, two carmakers announced a joint factory for batteries, and sales of used cars finally fell back toward normal levels. Finally, a listener asks whether winter tyres are worth it for their car. Our answer: absolutely.',
  },
  {
    expectedTopic: 'Automotive',
    title: 'Automotive news: a recall and new safety ratings',
    text: "In automotive news this afternoon, the country's biggest carmaker recalled two hundred thousand cars over a faulty brake sensor. Owners will get a free repair at dealerships. Meanwhile, the transportation department released new safety ratings, and several compact SUVs earned top marks in crash tests. Electric vehicle sales rose again last quarter, helped by cheaper models and more fast chargers along the highways. The auto industry is also watching a new rule that will require automatic emergency braking on every new car sold after next year. And for commuters, the city's rapid bus line opens on Monday, promising shorter trips downtown.",
  },
  {
    expectedTopic: 'Real Estate',
    title: "This week's real estate report",
    text: "Here is this week's real estate report. Home prices rose for the sixth straight month, but the pace is slowing as higher mortgage rates keep some buyers on the sidelines. Agents say homes in the suburbs are selling faster than city condos, and the number of listings is finally starting to grow. In the rental market, average rents in the capital dipped slightly for the first time since the pandemic. We also talk to a property developer about turning empty office towers into apartments, one of the bigger shifts in commercial real estate. If you are thinking of buying or selling this spring, our experts suggest getting a mortgage approval before you start touring houses.",
  },
  {
    expectedTopic: 'Real Estate',
    title: 'Open House: buying your first home',
    text: 'Welcome to Open House, the real estate podcast for first time buyers. Today we walk through the whole process of buying a home, from saving for a deposit to the day you get the keys. Our guest is a property inspector who explains what to look for in a basement, why the roof matters so much, and when a cheap house turns out to be a money pit. Then a local agent shares insights on the property market in smaller towns, where remote workers are pushing prices up. We finish with the pros and cons of selling your current home before you buy the next one. Grab a notebook; this one is packed.',
  },
  {
    expectedTopic: 'Culture',
    title: 'Culture Notes: weaving, holidays and folk dance',
    text: 'This is Culture Notes, our weekly look at the ideas and traditions that shape society. This week a museum in Mexico City opened an exhibition on the heritage of indigenous weaving, with textiles that are more than five hundred years old. Curators worked with local communities to tell the story in their own words. We also explore how holiday traditions are changing, as younger families mix customs from different backgrounds. A sociologist joins us to talk about the shifting norms around work and family, and why so many people now question the idea of a job for life. Finally, we look at the revival of folk dance in small towns, a cultural trend spreading through social networks.',
  },
  {
    expectedTopic: 'Culture',
    title: 'Common Ground: the languages we lose',
    text: "Welcome to Common Ground, a podcast about culture, identity, and the norms we rarely notice. Today's episode is an exploration of language: why some words disappear, why slang spreads so fast, and what we lose when a grandparent's language is not passed down. Our guest is a linguist who records endangered languages, and she shares stories from a village where only twelve fluent speakers remain. We also talk about cultural heritage festivals that bring diaspora communities together, and the unwritten rules of politeness that differ from one country to the next. It is a conversation about what connects us and what makes each society unique.",
  },
];
