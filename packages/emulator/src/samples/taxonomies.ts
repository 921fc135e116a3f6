/** A tag list: tag name -> description, in the order a prompt lists them. */
export type Taxonomy = Readonly<Record<string, string>>;

/** Names of the two preset tag lists (from AssemblyAI's topic-tagging guide). */
export type PresetTaxonomyName = 'media' | 'support-calls';

/** The preset `media` list, exactly as the project ships it. */
export const MEDIA_TAXONOMY: Taxonomy = {
  Sports: 'News and updates on various athletic events, teams, and sports personalities.',
  Politics: 'Coverage and discussion of government activities, policies, and political events.',
  Entertainment: 'Information on movies, music, television, celebrities, and arts.',
  Technology: 'News and reviews on gadgets, software, tech advancements, and trends.',
  Health: 'Articles focusing on medical news, wellness, and health-related topics.',
  Business: 'Updates on markets, finance, business strategies, and industry news.',
  Science: 'Explorations of scientific discoveries, research, and innovations.',
  Education: 'Topics related to learning, educational institutions, and academic developments.',
  Travel: 'Information on travel destinations, tips, and tourism industry news.',
  Lifestyle: 'Content on fashion, food, home decor, and personal interests.',
  Environment: 'Discussions on environmental issues, conservation, and climate change.',
  Finance: 'Advice and news on personal finance, investments, and economic trends.',
  Automotive: 'Reviews and news on cars, the auto industry, and transportation.',
  'Real Estate': 'Insights into property markets, buying and selling homes, and real estate trends.',
  Culture: 'Exploration of cultural trends, heritage, and societal norms.',
};

/** The preset `support-calls` list. */
export const SUPPORT_CALLS_TAXONOMY: Taxonomy = {
  'Account Issues': 'Problems related to user accounts, such as login difficulties or account access.',
  'Technical Support': 'Inquiries regarding software or hardware functionality and troubleshooting.',
  'Billing and Payments': 'Questions or problems about invoices, payments, or subscription plans.',
  'Product Inquiry': 'Requests for information about product features, capabilities, or pricing.',
  'Service Disruption': 'Reports of outages or interruptions in service performance or availability.',
};

/** Both presets by name. */
export const PRESET_TAXONOMIES: Readonly<Record<PresetTaxonomyName, Taxonomy>> = {
  media: MEDIA_TAXONOMY,
  'support-calls': SUPPORT_CALLS_TAXONOMY,
};
