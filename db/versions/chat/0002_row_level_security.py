"""chat: conversations and their messages belong to one user each.

Revision ID: chat_0002
Revises: chat_0001
"""

from nexus360.db import rls

revision = "chat_0002"
down_revision = "chat_0001"
branch_labels = None
depends_on = None

OWN = "user_id = nexus360_user_id()"
# conversations has RLS too, so this subquery only finds the acting user's conversations.
OWN_CONVERSATION = "EXISTS (SELECT 1 FROM conversations c WHERE c.id = conversation_id)"


def upgrade() -> None:
    rls.install_functions()
    rls.enable("conversations")
    rls.policy("conversations", "conversations_own", "ALL", using=OWN, check=OWN)
    rls.enable("messages")
    rls.policy("messages", "messages_own", "ALL", using=OWN_CONVERSATION, check=OWN_CONVERSATION)


def downgrade() -> None:
    raise NotImplementedError("Nexus360 migrations move forward only; restore a backup to go back.")
