// Original scripts written for this project (not transcripts of real broadcasts). Each reads like
// a short podcast or news segment and uses its topic's vocabulary plainly enough that both a real
// LLM and the lexical stand-in pick the expected tag from the `media` preset.

import type { SampleScript } from './types.ts';

/** Sports through Science, two scripts each. */
export const MEDIA_SCRIPTS_A: readonly SampleScript[] = [
  {
    expectedTopic: 'Sports',
    title: 'Saturday sports roundup',
    text: 'Good evening and welcome to the Saturday sports roundup. The big news tonight comes from the championship playoffs, where the visiting team came back from twelve points down in the fourth quarter to win by three. Their veteran point guard scored thirty one points and later told reporters the locker room never stopped believing. In other updates, the national football team named a new head coach, a former defensive star and one of the most outspoken personalities in the league. The coach said the athletes will train at altitude ahead of the qualifying matches next month. On the track, a nineteen year old sprinter broke the junior record in the hundred meters at the athletic meet in Oslo. We will have highlights from all of those events, plus the tennis draw, right after the break.',
  },
  {
    expectedTopic: 'Sports',
    title: 'Extra Time: the athletes behind the headlines',
    text: 'Welcome back to Extra Time, the sports podcast about the athletes behind the headlines. This week we talk to a marathon runner who finished her first race at forty and just qualified for the world championships. She trains six days a week before work, and her coach says her recovery numbers look like those of someone half her age. Later in the show we look at the cycling teams heading to the mountain stages, the transfer news in football, and the rookie quarterback whose personality has made him a favourite with fans. We also answer your questions about the scoring rules in the new basketball season, and whether the referees are really making more calls this year. Stay with us for the full roundup of athletic events.',
  },
  {
    expectedTopic: 'Politics',
    title: 'Midday politics briefing',
    text: 'This is the midday politics briefing. The government survived a confidence vote in parliament this morning by just four votes, after a long discussion over its new housing and energy policies. The prime minister told lawmakers the coalition would stay together, but two junior ministers resigned shortly afterwards. Opposition leaders called the result a political crisis and demanded an early election. Our correspondent says the senate is expected to take up the budget bill next week, and that several governors have already criticised the cuts to regional funding. Meanwhile, the election commission published new rules on campaign donations ahead of the local elections in the spring. We will continue our coverage of these political events throughout the afternoon, with analysis from both parties.',
  },
  {
    expectedTopic: 'Politics',
    title: 'Public Square: how a policy becomes law',
    text: "On today's episode of Public Square we sit down with a city council member who has spent ten years in local government. We talk about how a policy actually becomes law, why so many bills die in committee, and what voters can do to make their voices heard between elections. She explains the political fight over the new transit levy, the compromise that finally passed, and why she thinks campaign donation rules need to change. We also discuss the coverage of the mayoral race, the role of parties in city politics, and the debate over term limits for elected officials. Whatever your party, this conversation is a useful look at how democracy works in your own town.",
  },
  {
    expectedTopic: 'Entertainment',
    title: 'Showtime weekly entertainment update',
    text: 'You are listening to Showtime, your weekly entertainment update. The summer movie season is off to a strong start, with the animated sequel taking in more than two hundred million dollars in its opening weekend. Critics were less kind to the big superhero film, which fell sharply in its second week. On television, the hit drama about a family of chefs has been renewed for a fourth season, and its lead actor confirmed he will direct two episodes. In music, the pop star who swept the awards last winter announced a stadium tour, and tickets sold out in under an hour. Finally, the city arts festival opens on Friday with a concert in the park and an exhibition of celebrity portraits. That is all the entertainment for this week.',
  },
  {
    expectedTopic: 'Entertainment',
    title: 'Couch Critics: movies, music and television',
    text: "Hi everyone, and welcome to Couch Critics, the entertainment show where we argue about movies, music and television so you don't have to. This week we talk about the new streaming series everybody is watching, a comedy about a struggling theatre company. We loved the cast, especially the veteran actress playing the director, but the last two episodes drag. Then we turn to music, with the surprise album from a rock band that broke up ten years ago, and a conversation with the singer about fame, celebrities, and life on the road. We finish with our picks for the arts weekend: a documentary about a famous painter, a new musical on Broadway, and a comedy special that made us cry laughing. Let us know what you are watching.",
  },
  {
    expectedTopic: 'Technology',
    title: 'Byte Sized: folding phones and smart glasses',
    text: 'Welcome to Byte Sized, the technology podcast. This week we review the newest folding phone, and honestly the hinge finally feels solid. Battery life got us through a full day of heavy use, and the camera software is much better at night. We also tried a pair of smart glasses that translate speech instantly, one of the more impressive gadgets we have seen this year. In software news, the big operating system update ships next month with on device artificial intelligence features, and developers are already finding bugs in the beta. Finally, we talk about the trends in tech hiring and why chip makers keep promising faster processors with every advancement in manufacturing. As always, links to all our reviews are in the show notes.',
  },
  {
    expectedTopic: 'Technology',
    title: 'Tech news: a faster chip and a software flaw',
    text: 'In technology news today, a major chip maker unveiled a processor built for artificial intelligence that it says runs twice as fast while using half the power. Analysts called it a genuine advancement for data centers. Separately, a widely used software library was found to have a serious security flaw, and companies are rushing to patch millions of devices. The fix is already available, and experts urge everyone to update their phones and laptops. Also in tech, a startup showed off a robot vacuum that maps your house with lasers and can climb a small step. And a new survey of gadget buyers shows the trend toward repairable devices is growing, as more people keep their phones for four years or longer.',
  },
  {
    expectedTopic: 'Health',
    title: 'Weekly health report',
    text: 'This is your weekly health report. Doctors at the university hospital say a new blood test can spot early signs of heart disease years before symptoms appear. They stress that the test is still being trialled, but the early results are encouraging. In other medical news, flu cases are rising earlier than usual this year, and health officials are urging older adults to get vaccinated now. We also look at wellness habits, including whether those popular step goals really matter. The short answer from the experts: any regular walking helps, and sleep matters just as much as exercise for your health. Finally, a reminder that the free health clinic downtown is offering checkups for children before the school year starts.',
  },
  {
    expectedTopic: 'Health',
    title: 'Well Within: sleep, stress and protein',
    text: 'Welcome to Well Within, a podcast about health and wellness for busy people. Today our guest is a physician who specialises in sleep medicine. She explains why so many adults are chronically tired, what happens in the body during deep sleep, and when snoring is a sign of a medical problem that needs a doctor. We also talk about stress, anxiety, and the simple breathing exercises she teaches her patients. Later in the episode, a nutritionist joins us to explain how much protein we really need and why the latest diet fad may not be as healthy as it sounds. As always, this show is no substitute for a medical visit, so please talk to your own doctor before changing your routine.',
  },
  {
    expectedTopic: 'Business',
    title: 'Business update at the top of the hour',
    text: 'Here is the business update at the top of the hour. Stock markets closed higher today after the largest retailer in the country reported strong holiday sales and raised its outlook for next year. Shares of airline companies fell on rising fuel costs. In corporate news, two of the biggest logistics firms announced a merger worth forty billion dollars, a deal that still needs approval from regulators. The chief executive said the combined company will cut costs by closing overlapping offices. Meanwhile, a survey of small business owners shows confidence at a two year high, although many still struggle to hire workers. Analysts say the industry outlook for manufacturing remains mixed. That is the latest business news; we will check the markets again in an hour.',
  },
  {
    expectedTopic: 'Business',
    title: 'Founders Table: from garage to grocery chain',
    text: 'Welcome to Founders Table, the business podcast about how companies really grow. My guest today built a coffee roasting business from a garage into a brand sold in three hundred stores. We talk about her early strategy of selling directly to offices, the moment she almost ran out of cash, and how she negotiated her first deal with a national grocery chain. She is candid about hiring mistakes, margins, and why she turned down a large backer who wanted control of the board. We also get into the wider coffee industry, the shift in supply chains, and what other small business owners can learn about building a strategy that survives a bad year. If you run a company or dream of starting one, this conversation is for you.',
  },
  {
    expectedTopic: 'Science',
    title: 'The science hour: water on a distant planet',
    text: 'This is the science hour. Astronomers using the new space telescope say they have found water vapour in the atmosphere of a planet orbiting a nearby star, one of the most important discoveries in the search for life beyond our solar system. The research team spent months checking the data before publishing, and other groups are already planning follow up observations. Also in science news, physicists at a European laboratory reported a measurement that could hint at a new fundamental particle, although they caution that more experiments are needed. And biologists described a deep sea fish that produces its own light in colours never seen before. These scientific explorations remind us how much is still unknown.',
  },
  {
    expectedTopic: 'Science',
    title: 'Lab Notes: a battery made from salt',
    text: 'Welcome to Lab Notes, where we talk to the people behind new research. Our guest today is a chemist whose team has built a battery from sodium instead of lithium. She walks us through the chemistry, why sodium is so much cheaper, and the experiments that failed before the breakthrough. We discuss how long it takes for an innovation like this to leave the laboratory, and what the peer review process looked like for their paper. Then we answer a listener question about how researchers decide which discoveries are worth chasing, and why so much of science is about patience. If you love curiosity driven research and stories of scientific innovation, stay with us.',
  },
];
