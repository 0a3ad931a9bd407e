"""The template language: placeholders, email markdown, the HTML and
plain-text email, text-message encoding and counting, previews.

Plain functions and frozen values, with no database and no Django: the
API, the back office, jobs and workers call them through
``templates_app.rendering``.
"""
