// Original call-center scripts written for this project: one agent, one caller, no real people.
// Words that every support call says ("support", "account", "service") are avoided where they
// would point at another tag, as a careful real transcript of such a call would not stress them.

import type { SampleScript } from './types.ts';

/** Two calls for each `support-calls` tag. */
export const SUPPORT_CALL_SCRIPTS: readonly SampleScript[] = [
  {
    expectedTopic: 'Account Issues',
    title: 'Locked out after too many login attempts',
    text: "Thank you for calling, my name is Priya, how can I help you today? Hi, I'm having trouble with my account. I can't log in since this morning. It keeps saying my password is wrong, and now it says the account is locked. Okay, I'm sorry about that. Too many failed login attempts will lock the account for security. Can you confirm the email address on the account? Sure, it's j dot alvarez at example dot com. Thank you. I've verified your identity and unlocked the account. I'm sending a password reset link now. Did it arrive? Yes, I see it. Great, go ahead and choose a new password. Okay, done, and I'm in. Perfect, you have access again. I'd also recommend turning on two step login so this doesn't happen again. Will do, thanks.",
  },
  {
    expectedTopic: 'Account Issues',
    title: 'Email change never confirmed',
    text: "Hello, you've reached customer care, this is Marco. Hi Marco, I changed my email address last week and now I can't get into my user account at all. The login page says no account exists for that email. I see. Let me look you up by your phone number. Okay, I found a user profile under your old email address. It looks like the change was never confirmed, so the account still uses the old one. Oh, I don't have access to that inbox anymore. That's fine, I can update it from here after a few security checks. What was the city on your original registration? Denver. Thank you, that matches. I've updated your login email and sent a confirmation. Can you check? Got it, and I can sign in now. Great, your account access is restored.",
  },
  {
    expectedTopic: 'Technical Support',
    title: 'Desktop app crashes on export',
    text: "Technical support, this is Sam speaking. Hi, the desktop app keeps crashing every time I try to export a report. It just freezes and closes. Okay, let's do some troubleshooting. Which version of the software are you on? It says version four point two. And what operating system? Windows eleven. Thanks. Could you try clearing the cache from the settings menu and restart the app? Okay, cleared, restarting now. Try the export again. It crashed again. Alright, this sounds like a known bug with some graphics drivers. Can you update your graphics driver from the manufacturer's site? Give me a second. Okay, updated. Try once more. It worked this time, the file exported. Excellent. If it happens again, send us the crash log and I'll open a ticket with engineering.",
  },
  {
    expectedTopic: 'Technical Support',
    title: 'Wireless printer will not connect',
    text: "Hi, thanks for calling technical support, my name is Lee. Hi Lee, my new wireless printer won't connect to the network. The light just keeps blinking blue. Okay, let's troubleshoot the hardware first. Is the printer within range of your router? Yes, it's in the same room. Good. Please hold the wifi button for five seconds until the light flashes fast. Done. Now on your laptop, open the printer software and choose add device. It found the printer, but it says driver not available. That usually means the driver needs an update. I'm sending you a download link for the latest driver. Installing it now. Okay, it connected, and the test page is printing. Great. The scanning functionality should work too, but call us back if it doesn't.",
  },
  {
    expectedTopic: 'Billing and Payments',
    title: 'Charged twice for a subscription',
    text: "Thanks for calling the billing team, this is Ana. Hi, I was charged twice for my subscription this month. I see two payments of nineteen ninety nine on my card statement. Let me check your billing history. You're right, the payment went through twice on the third because of a processing error. I'm very sorry. I'll refund the duplicate payment now, and you should see it back on your card in three to five working days. Okay, thank you. Can you also send me the invoice for last month? I need it for my expenses. Of course, I'll email both invoices to you. Is there anything else about your plan or payments? Actually, can I switch to the annual plan to save money? Yes, I can change the subscription plan today.",
  },
  {
    expectedTopic: 'Billing and Payments',
    title: 'Payment failed on an expired card',
    text: "Hello, you've reached billing and payments, this is Chris. Hi, I got an email saying my payment failed and my subscription will be cancelled. Let me take a look. It seems the card on file expired last month, so the automatic payment was declined. Oh, I got a new card. Would you like to update the payment method now? Yes please. Go ahead with the card number when you're ready. Okay. Thank you, the new card is saved. Should I retry the outstanding invoice of forty two dollars? Yes, go ahead. Done, the payment went through and your subscription is active. You'll get a receipt by email. Also, I noticed you were billed for two seats on your plan; do you still need both? Just one, actually. I'll adjust that for the next billing cycle.",
  },
  {
    expectedTopic: 'Product Inquiry',
    title: 'Team tier features and pricing',
    text: "Good afternoon, sales team, this is Jordan. Hi, I'm considering your product for my small design studio and I have a few things to ask before I buy. Sure, happy to help. Does the product let a team of eight share folders? Yes, the team tier includes shared folders and up to ten members. What about version history? Version history is one of the standard features; it keeps thirty days of changes. And what's the pricing for the team tier? It's twelve dollars per member per month, or ten if you commit for a year. Is there a free trial? Yes, fourteen days with all features unlocked. Does it integrate with the calendar app we use? It does, through our integrations page. Great, that's the information I needed about the product.",
  },
  {
    expectedTopic: 'Product Inquiry',
    title: 'What the smart thermostat can do',
    text: "Hi, thanks for calling, this is Maya on the product team. Hello, I saw your new smart thermostat online and I have an inquiry about what it can do. Of course. What would you like to know? Can it control two heating zones in the house? Yes, one of its key features is multi zone control with extra sensors. Do the sensors come in the box? One sensor is included, and additional ones are sold separately for twenty five dollars. What's the total pricing for a house with three zones? The thermostat is one hundred forty nine dollars, plus two extra sensors, so one hundred ninety nine. Does it work with voice assistants? Yes, its capabilities include voice control and scheduling from the app. Great, I'll think about it and order online.",
  },
  {
    expectedTopic: 'Service Disruption',
    title: 'Office internet outage',
    text: "Thank you for calling, this is Omar. Hi, our whole office has lost internet service since about nine this morning. None of our computers can connect. I'm sorry to hear that. Let me check your area. Yes, I can see there is an outage affecting your neighbourhood. A fiber line was damaged during road works, and our crews are on site. Do you know how long the interruption will last? The current estimate is that service will be restored by two this afternoon. That's a big disruption for us; we run a call center. I understand. I'll add your office to the outage report so you get text updates, and you may be eligible for a service credit for the downtime. Please do. Done. You'll get a message as soon as availability is back.",
  },
  {
    expectedTopic: 'Service Disruption',
    title: 'Streaming slow all evening',
    text: "Hello, you've reached the help line, this is Grace. Hi Grace, your streaming app has been extremely slow all evening, videos keep buffering and sometimes the whole service goes down. I'm sorry about that. We are aware of a disruption affecting customers in your region tonight. One of our data centers had a power failure, and performance has been degraded since around six. Is anyone fixing it? Yes, engineers are rerouting traffic now, and we expect full availability within the hour. We also post live updates about outages on our status page. Okay, good to know. Will I be compensated? Yes, affected customers will get a one day credit automatically. Thanks for letting us know about the interruption.",
  },
];
