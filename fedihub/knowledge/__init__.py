"""Knowledge posts: long-form articles (AS2 `Article`) with tags and attachments, searchable."""
