-- 0002_preset_taxonomies: the two tag lists of AssemblyAI's custom topic tagging guide.
-- Why: `--taxonomy media` is the default of `mediatag enqueue`, and `support-calls` is what
-- call-center users start from; both must exist right after `mediatag migrate`.
-- The checksum is computed the same way as the CLI does (sha256 of the tags JSON text as
-- Postgres renders jsonb), so `taxonomy add` with the same list makes no new version.

INSERT INTO taxonomies (name, version, tags, checksum)
SELECT name, 1, tags, encode(sha256(convert_to(tags::text, 'UTF8')), 'hex')
FROM (VALUES
  ('media', '[
    {"name": "Sports", "description": "News and updates on various athletic events, teams, and sports personalities."},
    {"name": "Politics", "description": "Coverage and discussion of government activities, policies, and political events."},
    {"name": "Entertainment", "description": "Information on movies, music, television, celebrities, and arts."},
    {"name": "Technology", "description": "News and reviews on gadgets, software, tech advancements, and trends."},
    {"name": "Health", "description": "Articles focusing on medical news, wellness, and health-related topics."},
    {"name": "Business", "description": "Updates on markets, finance, business strategies, and industry news."},
    {"name": "Science", "description": "Explorations of scientific discoveries, research, and innovations."},
    {"name": "Education", "description": "Topics related to learning, educational institutions, and academic developments."},
    {"name": "Travel", "description": "Information on travel destinations, tips, and tourism industry news."},
    {"name": "Lifestyle", "description": "Content on fashion, food, home decor, and personal interests."},
    {"name": "Environment", "description": "Discussions on environmental issues, conservation, and climate change."},
    {"name": "Finance", "description": "Advice and news on personal finance, investments, and economic trends."},
    {"name": "Automotive", "description": "Reviews and news on cars, the auto industry, and transportation."},
    {"name": "Real Estate", "description": "Insights into property markets, buying and selling homes, and real estate trends."},
    {"name": "Culture", "description": "Exploration of cultural trends, heritage, and societal norms."}
  ]'::jsonb),
  ('support-calls', '[
    {"name": "Account Issues", "description": "Problems related to user accounts, such as login difficulties or account access."},
    {"name": "Technical Support", "description": "Inquiries regarding software or hardware functionality and troubleshooting."},
    {"name": "Billing and Payments", "description": "Questions or problems about invoices, payments, or subscription plans."},
    {"name": "Product Inquiry", "description": "Requests for information about product features, capabilities, or pricing."},
    {"name": "Service Disruption", "description": "Reports of outages or interruptions in service performance or availability."}
  ]'::jsonb)
) AS presets (name, tags);
