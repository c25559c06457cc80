//! Emulator of Microsoft Graph and Entra sign-in (see its own issue); filled in by the emulator work.
